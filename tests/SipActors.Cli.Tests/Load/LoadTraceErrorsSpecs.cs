using System.Globalization;
using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

/// <summary><c>sipactors load --trace-errors</c>, and the REGISTER responses by status code in the report and the summary.</summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadTraceErrorsSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_trace_the_rejected_credentials_without_the_credentials_and_not_the_expected_challenge()
    {
        var tracePath = _files.PathOf("errors.txt");
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "3", "--password-format", "wrong-{user}", "--plain",
            "--trace-errors", tracePath, "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        var trace = File.ReadAllText(tracePath);
        var entries = Entries(trace);
        // The first 401 of each account is the challenge every registration gets: only the answer to the wrong credentials is a failure.
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.StartsWith("# ", e, StringComparison.Ordinal);
            Assert.Contains(" REGISTER over UDP ", e, StringComparison.Ordinal);
            Assert.Contains("--> sent\nREGISTER sip:", e, StringComparison.Ordinal);
            Assert.Contains("\nAuthorization: <credentials redacted>\n", e, StringComparison.Ordinal);
            Assert.Contains("<-- received\nSIP/2.0 ", e, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("wrong-", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("response=", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", trace, StringComparison.Ordinal);
        var report = LoadReportJson.Deserialize(File.ReadAllText(reportPath))!;
        Assert.Equal(3, report.FailedTransactions);
        Assert.Contains($"trace errors    {tracePath} (3 failed transactions)", result.Output, StringComparison.Ordinal);
        var register = report.ResponsesByStatus["REGISTER"];
        Assert.True(register["401"] >= 3, "each account challenged at least once");
        Assert.Equal(3, report.RegistersSent["initial"]);
        Assert.Equal(3, report.RegistersSent["challenged"]);
        Assert.Matches(@"responses       REGISTER: (\d{3} x\d+, )*401 x\d+", result.Output);
    }

    [Fact]
    public async Task Should_trace_refusals_and_timeouts_and_count_them_per_status_in_the_stats_and_the_report()
    {
        // user0000: 403, user0001: 503, user0002: never answered (Timer F after 3.2 s with T1 = 50 ms).
        await using var registrar = new FailingUdpRegistrar(user => user switch { "user0000" => 403, "user0001" => 503, _ => 0 });
        var config = _files.Write("fast-timers.hocon", "sip-actors.timers { t1 = 50ms, t2 = 400ms }");
        var tracePath = _files.PathOf("errors.txt");
        var reportPath = _files.PathOf("report.json");
        var statsPath = _files.PathOf("stats.csv");

        var result = await CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.EndPoint}", "--accounts", "3", "--config", config, "--plain",
            "--trace-errors", tracePath, "--report", reportPath, "--stats", statsPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        var entries = Entries(File.ReadAllText(tracePath));
        Assert.Equal(3, entries.Count);
        Assert.Single(entries, e => e.Contains(": 403 Refused\n", StringComparison.Ordinal) && e.Contains("\nSIP/2.0 403 Refused\n", StringComparison.Ordinal));
        Assert.Single(entries, e => e.Contains(": 503 Refused\n", StringComparison.Ordinal));
        var timeout = Assert.Single(entries, e => !e.Contains("<-- received", StringComparison.Ordinal));
        Assert.Contains("--> sent\nREGISTER sip:", timeout, StringComparison.Ordinal);
        Assert.Contains("sip:user0002@", timeout, StringComparison.Ordinal);

        var report = LoadReportJson.Deserialize(File.ReadAllText(reportPath))!;
        Assert.Equal(1, report.ResponsesByStatus["REGISTER"]["403"]);
        Assert.Equal(1, report.ResponsesByStatus["REGISTER"]["503"]);
        Assert.Equal(3, report.RegistersSent["initial"]);
        Assert.Equal(0, report.RegistersSent["challenged"]);
        var header = File.ReadLines(statsPath).First().Split(',');
        var last = File.ReadLines(statsPath).Last().Split(',');
        long Column(string name) => long.Parse(last[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        Assert.Equal(1, Column("register_403"));
        Assert.Equal(1, Column("register_503"));
        Assert.Equal(1, Column("register_4xx"));
        Assert.Equal(1, Column("register_5xx"));
        Assert.Equal(0, Column("register_2xx"));
        Assert.Equal(3, Column("register_initial"));
    }

    /// <summary>The trace's entries: each starts with a line beginning with "# ".</summary>
    private static List<string> Entries(string trace)
        => [.. trace.Split("\n# ").Select((e, i) => i == 0 ? e : "# " + e).Where(e => e.Length > 0)];
}
