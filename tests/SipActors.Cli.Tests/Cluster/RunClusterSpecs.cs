using System.Net;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Cluster;

/// <summary>
/// <c>sipactors run --config FILE --cluster … --seed …</c> with two <c>sipactors node</c> commands in
/// this process: the file's accounts run on the nodes, their events print here as a local run's do.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class RunClusterSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFiles _files = new();
    private EmbeddedRegistrar _registrar = null!;

    public Task InitializeAsync()
    {
        _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _registrar.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task Should_run_the_files_accounts_on_the_nodes_print_their_events_and_disconnect_them_on_ctrl_c()
    {
        var seed = RunningCommand.FreePort();
        var nodeConfig = _files.Write("cluster.hocon", "sip-actors.cluster.slices = 16\n");
        var server = $"udp://{_registrar.UdpEndPoint}";
        var accounts = new[] { "alice", "bob", "carol", "dave" };
        var run = _files.Write("run.hocon", "sip-actors {\n  cluster.slices = 16\n  accounts = [\n"
            + string.Join("\n", accounts.Select(a => $"    {{ id = {a}, sip-server-ip = 127.0.0.1, sip-server-url = \"{server}\", register = true, user = {a}, password = \"pw-{a}\" }}"))
            + "\n  ]\n}\n");
        await using var first = RunningCommand.Start("node", "--cluster", $"127.0.0.1:{seed}", "--seed", $"127.0.0.1:{seed}", "--config", nodeConfig);
        await using var second = RunningCommand.Start("node", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--config", nodeConfig);
        await using var coordinator = RunningCommand.Start("run", "--config", run, "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--min-nodes", "2");

        await coordinator.WaitForErrorLineAsync(l => l.StartsWith("sipactors run: 4 accounts from", StringComparison.Ordinal), Bound);
        var deadline = DateTime.UtcNow + Bound;
        while (_registrar.RegisteredUsers < accounts.Length || coordinator.Output.Lines().Count(l => l.Contains(" connection:registered ", StringComparison.Ordinal)) < accounts.Length)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not registered within {Bound.TotalSeconds:0} s\n{coordinator}\n--- first node\n{first}\n--- second node\n{second}");
            await Task.Delay(100);
        }
        var code = await coordinator.StopAsync(Bound);

        Assert.True(code == 0, coordinator.ToString());
        var lines = coordinator.Output.Lines();
        foreach (var account in accounts)
        {
            var registered = lines.ToList().FindIndex(l => l.Contains($" connection:registered {account} 200", StringComparison.Ordinal));
            var unregistered = lines.ToList().FindIndex(l => l.Contains($" connection:unregistered {account} 200", StringComparison.Ordinal));
            Assert.True(registered >= 0 && unregistered > registered, coordinator.ToString());
        }
        Assert.All(lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} connection:[\w-]+ (alice|bob|carol|dave)", l));
        Assert.DoesNotContain("pw-", coordinator.Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _registrar.RegisteredUsers);
        // Both nodes hosted some: the accounts ran there, not in the coordinator.
        Assert.Contains("cluster: 2 nodes host slices", coordinator.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_min_nodes_without_cluster()
    {
        var result = await CliInvocation.RunAsync(["run", "--config", "x.hocon", "--min-nodes", "2"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("--min-nodes needs --cluster HOST:PORT", result.Error, StringComparison.Ordinal);
    }
}
