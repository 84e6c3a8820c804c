using System.Globalization;
using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

/// <summary><c>sipactors load --stats</c>, and the retransmissions and timeouts in the progress lines and the report.</summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadStatsSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_write_a_row_per_interval_with_cumulative_counts_rates_and_latency()
    {
        var statsPath = _files.PathOf("stats.csv");

        // The embedded registrar grants 5 s: refreshes happen in a 3 s hold.
        var result = await CliInvocation.RunAsync(["load", "--accounts", "20", "--expires", "5", "--duration", "3", "--plain", "--stats", statsPath, "--stats-interval", "0.5"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var rows = ReadStats(statsPath);
        Assert.True(rows.Count >= 5, $"{rows.Count} rows");
        Assert.All(rows.Zip(rows.Skip(1)), p => Assert.True(Number(p.Second, "elapsed_s") > Number(p.First, "elapsed_s")));
        foreach (var cumulative in new[] { "registered", "refreshes", "retransmissions", "transaction_timeouts" })
        {
            Assert.All(rows.Zip(rows.Skip(1)), p => Assert.True(Number(p.Second, cumulative) >= Number(p.First, cumulative), cumulative));
        }
        Assert.Equal(20, Number(rows[^1], "registered"));
        Assert.True(Number(rows[^1], "refreshes") > 0, "refreshes counted");
        Assert.True(Number(rows[^1], "requests_sent") >= 40, "a challenged REGISTER is two requests per account");
        Assert.Contains(rows, r => r["latency_p50_ms"].Length > 0 && Number(r, "latency_p50_ms") > 0 && Number(r, "latency_p99_ms") >= Number(r, "latency_p50_ms"));
        Assert.Contains(rows, r => r["phase"] == "hold" && Number(r, "registered_now") == 20);
        // Each account: a REGISTER, a challenged one after the 401, refreshes that reuse the challenge, an un-REGISTER.
        var last = rows[^1];
        Assert.Equal(20, Number(last, "register_initial"));
        Assert.Equal(20, Number(last, "register_challenged"));
        Assert.True(Number(last, "register_refresh") > 0, "refreshes counted as refresh REGISTERs");
        Assert.True(Number(last, "register_unregister") == 20, $"un-REGISTERs in the last row\n{File.ReadAllText(statsPath)}\n{result}");
        Assert.Equal(0, Number(last, "register_retry"));
        Assert.True(Number(last, "register_401") >= 20, "the registrar challenged each account once");
        Assert.Equal(Number(last, "register_401"), Number(last, "register_4xx"));
        Assert.True(Number(last, "register_2xx") >= 40 + Number(last, "register_refresh") - Number(last, "refresh_failures"), "a 200 per registration, refresh and un-REGISTER");
        Assert.Equal(0, Number(last, "register_5xx"));
        Assert.Contains(" hold ", result.Output, StringComparison.Ordinal);
        Assert.Contains("refresh rate ", result.Output, StringComparison.Ordinal);
        Assert.Contains("stats           " + statsPath, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_count_retransmissions_and_transaction_timeouts_of_a_server_that_never_answers_register()
    {
        await using var registrar = new FailingUdpRegistrar(_ => 0); // OPTIONS answered, REGISTER never
        // T1 = 50 ms: Timer F (64 x T1) ends each REGISTER after 3.2 s of retransmissions.
        var config = _files.Write("fast-timers.hocon", "sip-actors.timers { t1 = 50ms, t2 = 400ms }");
        var reportPath = _files.PathOf("report.json");
        var statsPath = _files.PathOf("stats.csv");

        var result = await CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.EndPoint}", "--accounts", "2", "--config", config, "--plain",
            "--report", reportPath, "--stats", statsPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        var report = LoadReportJson.Deserialize(File.ReadAllText(reportPath))!;
        Assert.Equal(2, report.FailuresByCause["Request Timeout"]);
        Assert.True(report.Retransmissions >= 2 * 5, $"retransmissions {report.Retransmissions}");
        Assert.True(report.TransactionTimeouts >= 2, $"timeouts {report.TransactionTimeouts}");
        Assert.True(registrar.RegistersReceived >= 2 + report.Retransmissions - 2, $"the server saw {registrar.RegistersReceived} REGISTERs");
        Assert.Contains($"sip             {report.Retransmissions} retransmissions, {report.TransactionTimeouts} transaction timeouts", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"retransmissions [1-9]\d* timeouts", result.Output);
        var last = ReadStats(statsPath)[^1];
        Assert.Equal(report.TransactionTimeouts, Number(last, "transaction_timeouts"));
        Assert.Equal(2, Number(last, "request_timeouts"));
        Assert.True(Number(last, "retransmissions") > 0);
    }

    private static List<Dictionary<string, string>> ReadStats(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal(string.Join(',', StatsWriter.Columns), lines[0]);
        return [.. lines.Skip(1).Select(l => StatsWriter.Columns.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second))];
    }

    private static double Number(Dictionary<string, string> row, string column)
        => double.Parse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture);
}
