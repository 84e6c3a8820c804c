using System.Net;
using System.Text.Json;
using SipActors.Cli.Load;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Load;

/// <summary><c>sipactors load</c> end to end against the embedded registrar on loopback.</summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadCommandSpecs : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_register_and_unregister_every_account_and_report_it()
    {
        var reportPath = _files.PathOf("report.json");
        var htmlPath = _files.PathOf("report.html");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "200", "--report", reportPath, "--html", htmlPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(200, report.Accounts);
        Assert.Equal(200, report.Registered);
        Assert.Equal(200, report.Unregistered);
        Assert.Equal(0, report.Failed);
        Assert.Empty(report.FailuresByCause);
        Assert.Equal(200, report.Events["connection:registered"]);
        Assert.Equal(200, report.Events["connection:unregistered"]);
        Assert.True(report.LatencyMs.P50 > 0, "p50 latency is measured");
        Assert.True(report.LatencyMs.P50 <= report.LatencyMs.P90 && report.LatencyMs.P90 <= report.LatencyMs.P99 && report.LatencyMs.P99 <= report.LatencyMs.Max);
        Assert.True(report.RegistrationRate > 0);
        Assert.True(report.PeakWorkingSetBytes > 0);
        Assert.True(report.CpuSeconds > 0, "the CPU of the run is reported");
        Assert.Equal(3, report.GcCollections.Count); // gen0, gen1, gen2
        Assert.True(report.GcPauseSeconds >= 0 && report.GcPauseSeconds <= report.DurationSeconds + 60);
        Assert.False(report.Interrupted);
        Assert.Equal(200, report.LatencyHistogram.Sum(b => b.Count));
        Assert.StartsWith("udp://127.0.0.1:", report.Server, StringComparison.Ordinal);
        Assert.True(new FileInfo(htmlPath).Length > 0, "the HTML report is written");
        Assert.Contains("result          OK", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_keep_the_fixed_json_keys()
    {
        var json = LoadReportJson.Serialize(new LoadReport
        {
            Accounts = 1, Registered = 1, Failed = 0, FailuresByCause = new Dictionary<string, int>(), RegistrationRate = 1,
            LatencyMs = new LatencySummary(1, 2, 3, 4), Refreshes = 0, RefreshFailures = 0, Unregistered = 1, DurationSeconds = 1,
            PeakWorkingSetBytes = 1, Events = new Dictionary<string, long>(), Server = "udp://127.0.0.1:5060", Domain = "127.0.0.1",
            StartedAt = DateTimeOffset.UnixEpoch, RampSeconds = 1, Timeline = [], LatencyHistogram = [],
        });

        using var document = JsonDocument.Parse(json);
        string[] keys = ["accounts", "registered", "failed", "failuresByCause", "registrationRate", "latencyMs", "refreshes", "refreshFailures", "unregistered", "durationSeconds", "peakWorkingSetBytes", "events"];
        Assert.All(keys, key => Assert.True(document.RootElement.TryGetProperty(key, out _), key));
        Assert.All(["p50", "p90", "p99", "max"], key => Assert.True(document.RootElement.GetProperty("latencyMs").TryGetProperty(key, out _), key));
    }

    [Fact]
    public async Task Should_fail_every_account_with_a_wrong_password_by_cause()
    {
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "50", "--password-format", "wrong-{user}", "--report", reportPath]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(0, report.Registered);
        Assert.Equal(50, report.Failed);
        Assert.Equal(new Dictionary<string, int> { ["Authentication Error"] = 50 }, report.FailuresByCause);
        Assert.Equal(50, report.Events["connection:connect-failed"]);
    }

    [Fact]
    public async Task Should_count_sip_failure_codes_per_status_in_the_report_and_the_summary()
    {
        // Even users get 503, odd ones 500: both are "SIP Failure Code", told apart by their status.
        await using var registrar = new FailingUdpRegistrar(user => int.Parse(user[^4..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? 503 : 500);
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.EndPoint}", "--accounts", "6", "--plain", "--report", reportPath]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(new Dictionary<string, int> { ["SIP Failure Code (503)"] = 3, ["SIP Failure Code (500)"] = 3 }, report.FailuresByCause);
        Assert.Contains("SIP Failure Code (503)   3", result.Output, StringComparison.Ordinal);
        Assert.Contains("[SIP Failure Code (500) 3, SIP Failure Code (503) 3]", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_register_the_accounts_of_a_file_with_their_display_names_and_extra_headers()
    {
        var file = _files.Write("accounts.csv", "# user,password,display name\nalice,pw-alice,Alice Smith\n\nbob,pw-bob\ncarol,pw-carol,Carol\n");
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--accounts-file", file, "--extra-header", "X-Load-Test: yes", "--report", reportPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(3, report.Accounts);
        Assert.Equal(3, report.Registered);
        Assert.Equal(3, report.Unregistered);
    }

    [Fact]
    public async Task Should_refresh_while_holding()
    {
        var reportPath = _files.PathOf("report.json");

        // The embedded registrar grants 5 s; a binding of at most 64 s is refreshed 5 s before it expires, at least 1 s after.
        var result = await CliInvocation.RunAsync(["load", "--accounts", "20", "--expires", "5", "--duration", "3", "--report", reportPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(20, report.Registered);
        Assert.True(report.Refreshes > 0, $"refreshes: {report.Refreshes}");
        Assert.Equal(0, report.RefreshFailures);
        Assert.Equal(20, report.Unregistered);
        Assert.True(report.DurationSeconds >= 3, "the hold lasted");
        Assert.True(report.Timeline.Count >= 3, "a point per second");
    }

    [Fact]
    public async Task Should_unregister_and_report_an_interrupted_run_with_exit_code_1()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        var reportPath = _files.PathOf("report.json");
        using var stop = new CancellationTokenSource();

        var run = CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.UdpEndPoint}", "--accounts", "30", "--duration", "120", "--report", reportPath], stop.Token);
        await WaitUntilAsync(() => registrar.RegisteredUsers == 30, run);
        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = ReadReport(reportPath);
        Assert.True(report.Interrupted);
        Assert.Equal(30, report.Registered);
        Assert.Equal(30, report.Unregistered);
        Assert.Equal(0, registrar.RegisteredUsers);
        Assert.True(report.DurationSeconds < 120, "the hold was cut short");
    }

    [Fact]
    public async Task Should_leave_the_bindings_with_no_unregister()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });

        var result = await CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.UdpEndPoint}", "--accounts", "10", "--no-unregister"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(10, registrar.RegisteredUsers);
    }

    [Fact]
    public async Task Should_run_the_demo_as_a_load_of_the_embedded_registrar()
    {
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["demo", "--accounts", "20", "--report", reportPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("sipactors demo", result.Output, StringComparison.Ordinal);
        Assert.Equal(20, ReadReport(reportPath).Registered);
    }

    [Fact]
    public async Task Should_say_one_account_in_the_singular()
    {
        var result = await CliInvocation.RunAsync(["load", "--accounts", "1", "--plain"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("sipactors load: 1 account against", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("1 accounts", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_not_repeat_the_last_point_of_the_timeline()
    {
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "5", "--report", reportPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var timeline = ReadReport(reportPath).Timeline;
        Assert.True(timeline.Count >= 2, $"{timeline.Count} points");
        // The same counts again a moment later is the same point twice (the last sample of the
        // un-registration, then the final one); a change, however quick, is a point of its own.
        Assert.All(timeline.Zip(timeline.Skip(1)), pair => Assert.False(
            pair.Second.Second - pair.First.Second < 0.5 && pair.First with { Second = pair.Second.Second } == pair.Second,
            $"the point at {pair.Second.Second} s repeats the one at {pair.First.Second} s"));
    }

    [Fact]
    public async Task Should_print_the_resolved_url_of_a_bare_server_and_name_it_in_the_failures()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port; // nothing listens there once the probe is gone
        }

        var result = await CliInvocation.RunAsync(["load", "--server", $"127.0.0.1:{port}", "--accounts", "2", "--plain"]).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 1, result.ToString());
        var url = $"wss://127.0.0.1:{port}/webrtc/wss/";
        Assert.Contains($"sipactors load: 2 accounts against {url} (--server 127.0.0.1:{port}: host:port without a scheme means {url})", result.Output, StringComparison.Ordinal);
        // The summary's cause line, then its detail, which names where the connection was tried.
        var lines = result.Output.Split('\n');
        var cause = Array.FindIndex(lines, l => l.StartsWith("  Connection Error", StringComparison.Ordinal));
        Assert.True(cause >= 0, result.ToString());
        Assert.Contains(url, lines[cause + 1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_say_why_accounts_failed_in_the_summary_the_report_and_the_failures_file()
    {
        var reportPath = _files.PathOf("report.json");
        var failuresPath = _files.PathOf("failures.csv");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "30", "--password-format", "wrong-{user}", "--plain", "--report", reportPath, "--failures", failuresPath]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = ReadReport(reportPath);
        var detail = Assert.Single(report.FailureDetails["Authentication Error"]);
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Equal(LoadReport.FailuresShown, report.Failures.Count);
        Assert.All(report.Failures, f => Assert.Equal(("Authentication Error", 401, detail), (f.Cause, f.Status, f.Detail)));
        Assert.Equal(report.Failures.Count, report.Failures.Select(f => f.Id).Distinct().Count());
        var lines = result.Output.Split('\n');
        var cause = Array.FindIndex(lines, l => l.StartsWith("  Authentication Error", StringComparison.Ordinal));
        Assert.True(cause >= 0 && lines[cause + 1].Trim() == detail, result.ToString());
        var csv = File.ReadAllLines(failuresPath);
        Assert.Equal("id,cause,status,detail", csv[0]);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"user{i:D4}").Order(), csv.Skip(1).Select(l => l.Split(',')[0]).Order());
        Assert.All(csv.Skip(1), l => Assert.StartsWith("Authentication Error,401,", l.Split(',', 2)[1], StringComparison.Ordinal));
        Assert.DoesNotContain("wrong-", result.Output + result.Error + File.ReadAllText(reportPath) + string.Join('\n', csv), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_record_the_settings_of_the_run_in_the_report()
    {
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "4", "--rate", "500", "--concurrency", "7", "--expires", "120", "--transport", "tcp", "--report", reportPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var settings = ReadReport(reportPath).Settings!;
        Assert.StartsWith("tcp://127.0.0.1:", settings.Server, StringComparison.Ordinal);
        Assert.Equal(("tcp", true, 4, 500.0, 7, 120, 0.0, true), (settings.Transport, settings.EmbeddedRegistrar, settings.Accounts, settings.Rate, settings.Concurrency, settings.Expires, settings.HoldSeconds, settings.Unregister));
        Assert.Equal(10, settings.ConnectTimeoutSeconds); // sip-actors.connect-timeout's default
        Assert.Matches(@"^\d+\.\d+\.\d+", settings.Version);
        Assert.Equal(Environment.MachineName, settings.Machine.Name);
        Assert.Equal(Environment.ProcessorCount, settings.Machine.Processors);
        Assert.Contains("settings        tcp, rate 500/s, concurrency 7, expires 120 s", result.Output, StringComparison.Ordinal);
    }

    private static LoadReport ReadReport(string path)
        => LoadReportJson.Deserialize(File.ReadAllText(path)) ?? throw new InvalidOperationException("empty report");

    private static async Task WaitUntilAsync(Func<bool> condition, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.False(run.IsCompleted, "the run ended before the condition held");
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(50);
        }
    }
}
