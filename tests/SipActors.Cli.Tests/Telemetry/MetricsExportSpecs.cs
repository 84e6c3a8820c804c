using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Telemetry;

/// <summary><c>--prometheus</c> and <c>--otlp</c> on <c>load</c> and <c>run</c>: the SipActors meter through OpenTelemetry.</summary>
[Collection(NetworkCollection.Name)]
public sealed class MetricsExportSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFiles _files = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose()
    {
        _http.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task Should_serve_counters_that_move_during_a_load_run()
    {
        var port = FreeTcpPort();
        // The embedded registrar grants 5 s, so the accounts refresh during the 6 s hold.
        var run = CliInvocation.RunAsync(["load", "--accounts", "20", "--expires", "5", "--duration", "6", "--quiet", "--prometheus", $"127.0.0.1:{port}"]);

        var seen = new List<double>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string? page = null;
        while (!run.IsCompleted && DateTime.UtcNow < deadline && (seen.Count == 0 || seen[^1] <= seen[0]))
        {
            page = await ScrapeAsync(port);
            if (page is not null && Value(page, "sipactors_registration_refreshes_total") is { } refreshes)
            {
                seen.Add(refreshes);
            }
            await Task.Delay(250);
        }
        var result = await run.WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.True(seen.Count >= 2 && seen[^1] > seen[0], $"refreshes scraped: {string.Join(", ", seen)}");
        Assert.True(Value(page!, "sipactors_registrations_total") >= 20, page);
        Assert.Contains("sipactors_registration_duration_seconds_bucket", page, StringComparison.Ordinal);
        Assert.Contains("sipactors_sip_retransmissions_total", page, StringComparison.Ordinal);
        Assert.Null(await ScrapeAsync(port)); // the endpoint goes with the run
    }

    [Fact]
    public async Task Should_serve_the_registrations_of_a_run()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        var config = _files.Write("run.hocon", $"sip-actors.accounts = [ {{ id = alice, sip-server-ip = 127.0.0.1, sip-server-url = \"udp://{registrar.UdpEndPoint}\", register = true, user = alice, password = pw-alice }} ]");
        var port = FreeTcpPort();
        using var stop = new CancellationTokenSource();

        var run = CliInvocation.RunAsync(["run", "--config", config, "--prometheus", $"localhost:{port}"], stop.Token);
        double? registrations = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!run.IsCompleted && DateTime.UtcNow < deadline && !(registrations >= 1))
        {
            registrations = await ScrapeAsync(port) is { } page ? Value(page, "sipactors_registrations_total") : null;
            await Task.Delay(250);
        }
        await stop.CancelAsync();
        var result = await run.WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.True(registrations >= 1, $"registrations scraped: {registrations}");
    }

    [Fact]
    public async Task Should_push_the_metrics_to_an_otlp_collector_over_http()
    {
        var port = FreeTcpPort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = ReceiveOneAsync(collector);

        var result = await CliInvocation.RunAsync(["load", "--accounts", "5", "--quiet", "--otlp", $"http://127.0.0.1:{port}/v1/metrics", "--otlp-protocol", "http"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var (path, contentType, length) = await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/metrics", path);
        Assert.Equal("application/x-protobuf", contentType);
        Assert.True(length > 0);
    }

    [Theory]
    [InlineData("10.1.2.3:9464")]
    [InlineData("0.0.0.0:9464")]
    [InlineData("127.0.0.1")]
    public async Task Should_refuse_a_prometheus_address_that_is_not_loopback(string address)
    {
        var result = await CliInvocation.RunAsync(["load", "--accounts", "2", "--prometheus", address]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"--prometheus '{address}' must be a loopback address and port", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_name_a_prometheus_port_already_in_use()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await CliInvocation.RunAsync(["load", "--accounts", "2", "--quiet", "--prometheus", $"127.0.0.1:{port}"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"--prometheus 127.0.0.1:{port}: cannot listen there", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", result.Error, StringComparison.Ordinal);
    }

    private async Task<string?> ScrapeAsync(int port)
    {
        try
        {
            return await _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null; // not listening (yet, or any more)
        }
    }

    /// <summary>The sum of a metric's samples on a Prometheus text page (one per attribute set); null when absent.</summary>
    private static double? Value(string page, string metric)
    {
        var values = page.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            // "name{labels} value [timestamp]" or "name value [timestamp]"
            .Select(l => l.Contains('}', StringComparison.Ordinal) ? l[(l.LastIndexOf('}') + 1)..] : l[metric.Length..])
            .Select(rest => double.Parse(rest.Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToList();
        return values.Count == 0 ? null : values.Sum();
    }

    private static async Task<(string Path, string? ContentType, long Length)> ReceiveOneAsync(HttpListener listener)
    {
        var context = await listener.GetContextAsync();
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        context.Response.StatusCode = 200;
        context.Response.Close();
        return (context.Request.Url!.AbsolutePath, context.Request.ContentType, body.Length);
    }

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
