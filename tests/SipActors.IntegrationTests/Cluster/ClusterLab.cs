using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SipActors.IntegrationTests.Peers;

namespace SipActors.IntegrationTests.Cluster;

/// <summary>
/// Real processes on loopback for the cluster specs: Kamailio, <c>sipactors node</c>s (the first
/// is the seed), a <c>sipactors events --json</c> observer, and <c>sipactors load --cluster</c>
/// against Kamailio over UDP. Everything it started dies with it.
/// </summary>
internal sealed class ClusterLab : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly List<CliProcess> _processes = [];
    private readonly string _config;

    public ClusterLab(KamailioFixture kamailio, int slices, string extraConfig = "")
    {
        Kamailio = kamailio;
        Slices = slices;
        _config = Path.Combine(kamailio.RunDirectory, "cluster.hocon");
        // The same slice count on every process (the coordinator routes by it); a small one spreads
        // 300 accounts over fewer entities to start on two shared cores.
        File.WriteAllText(_config, string.Create(CultureInfo.InvariantCulture, $"sip-actors.cluster.slices = {slices}\n{extraConfig}"));
        SeedPort = FreePorts.Take(1)[0];
    }

    public KamailioFixture Kamailio { get; }

    public int Slices { get; }

    public int SeedPort { get; }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public List<(CliProcess Process, string Address)> Nodes { get; } = [];

    public CliProcess? Observer { get; private set; }

    public static string Address(int port) => string.Create(CultureInfo.InvariantCulture, $"akka.tcp://sipactors@127.0.0.1:{port}");

    /// <summary>Starts a node (the first one forms the cluster) and waits until the seed sees it up.</summary>
    public async Task<(CliProcess Process, string Address)> StartNodeAsync()
    {
        var port = Nodes.Count == 0 ? SeedPort : FreePorts.Take(1)[0];
        var node = Track(CliProcess.Start($"node {port}", Clock, "node", "--cluster", $"127.0.0.1:{port}", "--seed", $"127.0.0.1:{SeedPort}", "--config", _config));
        var entry = (node, Address(port));
        Nodes.Add(entry);
        await Nodes[0].Process.WaitForLineAsync(l => l.Contains("member up " + entry.Item2 + " [sip-accounts]", StringComparison.Ordinal), Bound);
        return entry;
    }

    /// <summary>Starts the observer and waits until the events of every node started so far reach it.</summary>
    public async Task StartObserverAsync()
    {
        Observer = Track(CliProcess.Start("events", Clock, "events", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{SeedPort}", "--json"));
        foreach (var (_, address) in Nodes)
        {
            await Observer.WaitForLineAsync(l => l.EndsWith("receiving the events of " + address, StringComparison.Ordinal), Bound, error: true);
        }
    }

    /// <summary>Starts <c>load --cluster</c> with <paramref name="extra"/> options, against Kamailio over UDP.</summary>
    public CliProcess StartLoad(int minNodes, int accounts, string reportPath, params string[] extra)
        => Track(CliProcess.Start("load", Clock, [
            "load", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{SeedPort}", "--config", _config,
            "--min-nodes", minNodes.ToString(CultureInfo.InvariantCulture), "--accounts", accounts.ToString(CultureInfo.InvariantCulture),
            "--server", $"udp://127.0.0.1:{Kamailio.UdpPort}", "--domain", Kamailio.Domain, "--plain", "--report", reportPath, .. extra]));

    /// <summary>The account events the observer printed so far, parsed from its JSON lines.</summary>
    public IReadOnlyList<SeenEvent> Events()
    {
        var events = new List<SeenEvent>();
        foreach (var (at, line) in Observer!.Output())
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }
            var j = JsonDocument.Parse(line).RootElement;
            events.Add(new SeenEvent(at, j.GetProperty("node").GetString()!, j.GetProperty("account").GetString()!, j.GetProperty("topic").GetString()!, j.GetProperty("sequence").GetInt64()));
        }
        return events;
    }

    /// <summary>Polls until <paramref name="condition"/> holds on the observer's events; fails after <paramref name="timeout"/> with <paramref name="what"/>.</summary>
    public async Task<IReadOnlyList<SeenEvent>> WaitForEventsAsync(Func<IReadOnlyList<SeenEvent>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var events = Events();
            if (condition(events))
            {
                return events;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not within {timeout.TotalSeconds:0} s\n{Describe()}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>What every process printed last, for a failure message.</summary>
    public string Describe() => string.Join("\n", _processes.Where(p => p != Observer).Select(p => p.ToString()))
        + "\n--- events (last lines)\n" + string.Join("\n", Observer?.Output().TakeLast(20).Select(l => l.Line) ?? [])
        + "\n--- events error\n" + string.Join("\n", Observer?.Error().TakeLast(20) ?? []);

    private CliProcess Track(CliProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }
}

/// <summary>One event line of the observer: when the test saw it, the node, the account, the topic and the account's sequence number on that node.</summary>
internal sealed record SeenEvent(TimeSpan At, string Node, string Account, string Topic, long Sequence);
