using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Cluster;

/// <summary>
/// <c>sipactors load --cluster</c> with two <c>sipactors node</c> commands, all in this process on
/// loopback, against the embedded registrar the coordinator starts.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadClusterSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Fewer slices than the default 256, the same on every node and the coordinator: fewer entities to start on two shared cores.</summary>
    private string Config() => _files.Write("cluster.hocon", "sip-actors.cluster.slices = 32\n");

    [Fact]
    public async Task Should_place_the_accounts_over_the_nodes_report_each_node_and_unregister_them()
    {
        var seed = RunningCommand.FreePort();
        var config = Config();
        await using var first = RunningCommand.Start("node", "--cluster", $"127.0.0.1:{seed}", "--seed", $"127.0.0.1:{seed}", "--config", config);
        await using var second = RunningCommand.Start("node", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--config", config);
        var reportPath = _files.PathOf("report.json");
        var statsPath = _files.PathOf("stats.csv");

        var result = await CliInvocation.RunAsync(["load", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--min-nodes", "2", "--config", config,
            "--accounts", "200", "--plain", "--report", reportPath, "--stats", statsPath, "--stats-interval", "0.5"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == 0, result + "\n--- first node\n" + first + "\n--- second node\n" + second);
        var report = LoadReportJson.Deserialize(File.ReadAllText(reportPath))!;
        Assert.Equal((200, 200, 200, 0), (report.Accounts, report.Registered, report.Unregistered, report.Failed));
        Assert.Equal(200, report.Events["connection:registered"]);
        Assert.Equal(200, report.Events["connection:unregistered"]);
        var nodes = report.Nodes!;
        Assert.Equal(2, nodes.Count);
        Assert.Equal(200, nodes.Sum(n => n.Accounts));
        Assert.Equal(200, nodes.Sum(n => n.Registered));
        Assert.All(nodes, n => Assert.True(n.Accounts >= 20 && n.Failed == 0 && n.Status == "up" && n.CpuSeconds > 0 && n.PeakWorkingSetBytes > 0, n.ToString()));
        Assert.Equal(200, nodes.Sum(n => n.PeakRegistered));
        Assert.Equal(0, report.Cluster!.EventGaps);
        Assert.Equal(2, report.Cluster.MinNodes);
        Assert.Contains("cluster: events of all 2 nodes reach the coordinator", result.Output, StringComparison.Ordinal);
        Assert.Contains("result          OK", result.Output, StringComparison.Ordinal);
        // --stats from the nodes' reports. Both nodes run in this process, and the meter their counts
        // come from is process-wide: each counts the other's REGISTERs too, so every count is doubled.
        var rows = File.ReadAllLines(statsPath);
        var header = rows[0].Split(',');
        var last = rows[^1].Split(',');
        string Column(string name) => last[Array.IndexOf(header, name)];
        Assert.True(rows.Length >= 3, $"{rows.Length - 1} stats rows");
        Assert.Equal(("200", "0"), (Column("registered"), Column("failed")));
        Assert.True((Column("register_initial"), Column("register_unregister")) == ("400", "400"), string.Join('\n', rows));
        Assert.True(long.Parse(Column("register_2xx"), System.Globalization.CultureInfo.InvariantCulture) >= 800, string.Join('\n', rows));
        Assert.Equal("", Column("latency_p50_ms"));
        // The coordinator left the cluster gracefully: the nodes saw it go, not fail.
        await first.WaitForLineAsync(l => l.Contains("member removed (was exiting) " + report.Cluster.Coordinator, StringComparison.Ordinal), Bound);
        Assert.DoesNotContain(first.Output.Lines(), l => l.Contains("unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_trace_the_failed_transactions_of_a_nodes_accounts_on_that_node()
    {
        var seed = RunningCommand.FreePort();
        var config = Config();
        var tracePath = _files.PathOf("node-errors.txt");
        await using var node = RunningCommand.Start("node", "--cluster", $"127.0.0.1:{seed}", "--seed", $"127.0.0.1:{seed}", "--config", config, "--trace-errors", tracePath);

        var result = await CliInvocation.RunAsync(["load", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--min-nodes", "1", "--config", config,
            "--accounts", "3", "--password-format", "wrong-{user}", "--plain"]).WaitAsync(Bound);
        var code = await node.StopAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        Assert.True(code == ExitCodes.Success, node.ToString());
        Assert.Contains(node.Output.Lines(), l => l.EndsWith($"trace errors {tracePath} (3 failed transactions)", StringComparison.Ordinal));
        var trace = File.ReadAllText(tracePath);
        // The answers to the wrong credentials, one per account; the first challenge of each is no failure.
        Assert.Equal(3, trace.Split('\n').Count(l => l.StartsWith("# ", StringComparison.Ordinal)));
        Assert.Contains("Authorization: <credentials redacted>", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-", trace + node.Output + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_place_nothing_while_too_few_nodes_host_slices_and_stop_on_ctrl_c()
    {
        var seed = RunningCommand.FreePort();
        await using var node = RunningCommand.Start("node", "--cluster", $"127.0.0.1:{seed}", "--seed", $"127.0.0.1:{seed}");
        await using var load = RunningCommand.Start("load", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--min-nodes", "2", "--accounts", "10", "--plain");

        await load.WaitForLineAsync(l => l.StartsWith("cluster: 1 of 2 nodes host slices", StringComparison.Ordinal), Bound);
        var code = await load.StopAsync(Bound);

        Assert.True(code == ExitCodes.Failure, load.ToString());
        Assert.Contains(load.Output.Lines(), l => l.StartsWith("cluster: interrupted while waiting for the nodes (1 of 2 host slices); nothing was placed", StringComparison.Ordinal));
        Assert.Contains("hosts account slices", node.Output.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> Errors() => new()
    {
        { ["load", "--accounts", "1", "--min-nodes", "2"], "--min-nodes needs --cluster HOST:PORT" },
        { ["load", "--accounts", "1", "--seed", "127.0.0.1:4053"], "--seed needs --cluster HOST:PORT" },
        { ["load", "--accounts", "1", "--cluster", "127.0.0.1:0"], "--cluster needs at least one --seed HOST:PORT" },
        { ["load", "--accounts", "1", "--cluster", "127.0.0.1:0", "--seed", "127.0.0.1:4053", "--connect-timeout", "5"], "--connect-timeout with --cluster: the accounts connect from the nodes" },
        { ["load", "--accounts", "1", "--cluster", "127.0.0.1:0", "--seed", "127.0.0.1:4053", "--tls-insecure"], "--tls-insecure with --cluster" },
        { ["load", "--accounts", "1", "--cluster", "127.0.0.1:0", "--seed", "127.0.0.1:4053", "--trace-errors", "/tmp/x.txt"], "--trace-errors with --cluster: the SIP stacks are the nodes'; give --trace-errors to each 'sipactors node'" },
        { ["load", "--accounts", "1", "--cluster", "127.0.0.1:0", "--seed", "127.0.0.1:4053", "--prometheus", "127.0.0.1:9464"], "--prometheus with --cluster: the SIP stacks are the nodes'" },
        { ["load", "--accounts", "1", "--cluster", "127.0.0.1:0", "--seed", "127.0.0.1:4053", "--min-nodes", "0"], "--min-nodes must be 1..10000, not 0" },
        { ["load", "--accounts", "1", "--cluster", "0.0.0.0:4053", "--seed", "127.0.0.1:4053", "--allow-non-loopback"], "--allow-non-loopback needs --server" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Should_refuse_a_cluster_load_command_line_in_words(string[] args, string expected)
    {
        var result = await CliInvocation.RunAsync(args).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }
}
