namespace SipActors.Cli.Tests.Cluster;

/// <summary><c>sipactors node</c> in this process: it joins, prints membership changes, and leaves on Ctrl+C.</summary>
[Collection(NetworkCollection.Name)]
public sealed class NodeCommandSpecs
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_form_a_cluster_print_who_joins_and_leave_gracefully_on_ctrl_c()
    {
        var (first, second) = (RunningCommand.FreePort(), RunningCommand.FreePort());
        await using var seed = RunningCommand.Start("node", "--cluster", $"127.0.0.1:{first}", "--seed", $"127.0.0.1:{first}");
        await seed.WaitForLineAsync(l => l.Contains($"member up akka.tcp://sipactors@127.0.0.1:{first} [sip-accounts] (this node)", StringComparison.Ordinal), Bound);
        await using var joiner = RunningCommand.Start("node", "--cluster", $"localhost:{second}", "--seed", $"localhost:{first}");

        await seed.WaitForLineAsync(l => l.EndsWith($"member up akka.tcp://sipactors@127.0.0.1:{second} [sip-accounts]", StringComparison.Ordinal), Bound);
        await joiner.WaitForLineAsync(l => l.EndsWith($"member up akka.tcp://sipactors@127.0.0.1:{second} [sip-accounts] (this node)", StringComparison.Ordinal), Bound);
        var code = await joiner.StopAsync(Bound);

        Assert.True(code == 0, joiner.ToString());
        var lines = joiner.Output.Lines();
        Assert.Contains(lines, l => l.Contains("leaving the cluster: handing over 0 accounts", StringComparison.Ordinal));
        Assert.EndsWith("left the cluster", lines[^1], StringComparison.Ordinal);
        await seed.WaitForLineAsync(l => l.Contains($"member removed (was exiting) akka.tcp://sipactors@127.0.0.1:{second}", StringComparison.Ordinal), Bound);
        Assert.Equal(0, await seed.StopAsync(Bound));
    }
}
