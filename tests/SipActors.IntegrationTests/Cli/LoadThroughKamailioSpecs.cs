using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SipActors.Cli;
using SipActors.IntegrationTests.Peers;

namespace SipActors.IntegrationTests.Cli;

/// <summary>
/// <c>sipactors load</c> as a load tester runs it against a real Kamailio: rate stages, a local
/// address, the statistics, failure and error-trace files, the reports and a Prometheus scrape in
/// one run, and TLS trusted through a CA file.
/// </summary>
[Collection(ProcessWideMetersCollection.Name)]
public sealed class LoadThroughKamailioSpecs : IClassFixture<KamailioFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly KamailioFixture _kamailio;
    private readonly string _directory = Directory.CreateTempSubdirectory("sipactors-load-").FullName;

    public LoadThroughKamailioSpecs(KamailioFixture kamailio) => _kamailio = kamailio;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Should_register_through_kamailio_with_a_load_testers_options_and_report_every_failure()
    {
        // 40 accounts with Kamailio's password rule, 2 with a wrong one.
        var accounts = Path.Combine(_directory, "accounts.csv");
        await System.IO.File.WriteAllLinesAsync(accounts, ["user,password", .. Enumerable.Range(0, 40).Select(i => $"kload{i:D3},pw-kload{i:D3}"), "kbad0,WRONGSECRET0", "kbad1,WRONGSECRET1"]);
        string Out(string name) => Path.Combine(_directory, name);
        var prometheus = FreeTcpPort();

        var run = Program.RunAsync(["load", "--server", $"udp://127.0.0.1:{_kamailio.UdpPort}", "--domain", _kamailio.Domain, "--accounts-file", accounts,
            "--rate", "20:200/1s", "--duration", "3", "--local", "127.0.0.2", "--connect-timeout", "5", "--plain",
            "--stats", Out("stats.csv"), "--stats-interval", "0.5", "--failures", Out("failures.csv"), "--trace-errors", Out("errors.txt"),
            "--report", Out("report.json"), "--html", Out("report.html"), "--prometheus", $"127.0.0.1:{prometheus}"], Output, Error);

        // While it holds: Kamailio has the bindings, from the local address; the scrape shows the registrations.
        double? registrations = null;
        string locations = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!run.IsCompleted && DateTime.UtcNow < deadline && !(registrations >= 40 && locations.Contains("127.0.0.2", StringComparison.Ordinal)))
        {
            if (await ScrapeAsync(prometheus) is { } page)
            {
                registrations = Value(page, "sipactors_registrations_total") ?? registrations;
            }
            if (await _kamailio.GetContactsAsync() >= 40)
            {
                locations = await _kamailio.DumpLocationsAsync();
            }
            await Task.Delay(200);
        }
        var exit = await run.WaitAsync(Bound);

        Assert.True(exit == 1, $"exit {exit}: two accounts have a wrong password\n{Output}\n{Error}");
        Assert.True(registrations >= 40, $"scraped sipactors_registrations_total {registrations}");
        Assert.Contains("sip:kload000@127.0.0.2:", locations, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await System.IO.File.ReadAllTextAsync(Out("report.json")));
        var root = report.RootElement;
        Assert.Equal((40, 2, 40), (root.GetProperty("registered").GetInt32(), root.GetProperty("failed").GetInt32(), root.GetProperty("unregistered").GetInt32()));
        Assert.Equal(2, root.GetProperty("failuresByCause").GetProperty("Authentication Error").GetInt32());
        Assert.Equal(42, root.GetProperty("registersSent").GetProperty("initial").GetInt64());
        Assert.True(root.GetProperty("responsesByStatus").GetProperty("REGISTER").GetProperty("401").GetInt64() >= 44, "a challenge per account, and a second for each wrong password");
        Assert.Equal(2, root.GetProperty("failedTransactions").GetInt64());
        Assert.Equal("127.0.0.2:0", root.GetProperty("settings").GetProperty("localAddress").GetString());
        Assert.Equal("20:200/1s", root.GetProperty("settings").GetProperty("rateStages").GetString());

        var failures = await System.IO.File.ReadAllLinesAsync(Out("failures.csv"));
        Assert.Equal(["kbad0", "kbad1"], failures.Skip(1).Select(l => l.Split(',')[0]).Order());
        var trace = await System.IO.File.ReadAllTextAsync(Out("errors.txt"));
        Assert.Equal(2, trace.Split('\n').Count(l => l.StartsWith("# ", StringComparison.Ordinal)));
        Assert.Contains("sip:kbad0@", trace, StringComparison.Ordinal);
        Assert.Contains("Authorization: <credentials redacted>", trace, StringComparison.Ordinal);
        var rows = await System.IO.File.ReadAllLinesAsync(Out("stats.csv"));
        var header = rows[0].Split(',');
        var last = rows[^1].Split(',');
        Assert.True(rows.Length >= 4, $"{rows.Length - 1} stats rows");
        Assert.Equal("42", last[Array.IndexOf(header, "register_initial")]);
        Assert.True(last[Array.IndexOf(header, "register_unregister")] == "40", $"un-REGISTERs in the last row\n{string.Join('\n', rows)}\n{Output}\n{Error}");
        Assert.Contains("<svg", await System.IO.File.ReadAllTextAsync(Out("report.html")), StringComparison.Ordinal);
        var everything = Output.ToString() + Error + trace + string.Join('\n', failures) + string.Join('\n', rows) + root.GetRawText();
        Assert.DoesNotContain("WRONGSECRET", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-kload", everything, StringComparison.Ordinal);
        Assert.Equal(0, await _kamailio.GetContactsAsync());
    }

    [Fact]
    public async Task Should_register_over_tls_and_wss_trusting_kamailio_through_tls_ca()
    {
        var ca = Path.Combine(_directory, "kamailio-ca.pem");
        await System.IO.File.WriteAllTextAsync(ca, _kamailio.Certificate.ExportCertificatePem());

        foreach (var server in new[] { $"tls://127.0.0.1:{_kamailio.TlsPort}", $"wss://127.0.0.1:{_kamailio.WssPort}" })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var report = Path.Combine(_directory, "tls.json");
            var exit = await Program.RunAsync(["load", "--server", server, "--domain", _kamailio.Domain, "--accounts", "5", "--first", "500",
                "--tls-ca", ca, "--plain", "--report", report], output, error).WaitAsync(Bound);

            Assert.True(exit == 0, $"{server}: exit {exit}\n{output}\n{error}");
            using var json = JsonDocument.Parse(await System.IO.File.ReadAllTextAsync(report));
            Assert.Equal(5, json.RootElement.GetProperty("registered").GetInt32());
            Assert.StartsWith("the authorities of ", json.RootElement.GetProperty("settings").GetProperty("tlsCheck").GetString(), StringComparison.Ordinal);
        }
    }

    private StringWriter Output { get; } = new();
    private StringWriter Error { get; } = new();

    private static async Task<string?> ScrapeAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static double? Value(string page, string metric)
        => page.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal) && (l.Length == metric.Length || l[metric.Length] is ' ' or '{'))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .Cast<double?>()
            .Sum();

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
