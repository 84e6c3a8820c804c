using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Connections;
using SipActors.Sip.Registrar;
using Xunit.Abstractions;

namespace SipActors.Cluster.Tests.Nodes;

/// <summary>
/// A cluster of ActorSystems in this process on 127.0.0.1 ports (the multi-node test kit is not on
/// the feed), each hosting slices with its own SIP stack, and one embedded registrar they all
/// register with.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(EmbeddedRegistrar registrar, IReadOnlyList<TestNode> nodes, ITestOutputHelper output)
    {
        Registrar = registrar;
        Log = new RegistrarLog(registrar);
        Nodes = nodes;
        Output = output;
    }

    public EmbeddedRegistrar Registrar { get; }

    public RegistrarLog Log { get; }

    public IReadOnlyList<TestNode> Nodes { get; }

    public ITestOutputHelper Output { get; }

    public IEnumerable<TestNode> Running => Nodes.Where(n => !n.Stopped);

    /// <summary>Starts <paramref name="count"/> nodes; the first forms the cluster, the others join it; returns once all are up and host slices.</summary>
    public static async Task<TestCluster> StartAsync(int count, ITestOutputHelper output)
    {
        var registrar = EmbeddedRegistrar.Start();
        var nodes = Enumerable.Range(0, count).Select(i => TestNode.Start("node" + i)).ToList();
        var cluster = new TestCluster(registrar, nodes, output);
        var started = DateTime.UtcNow;
        var seed = nodes[0].Cluster.SelfAddress;
        foreach (var node in nodes)
        {
            await node.Cluster.JoinAsync(seed).WaitAsync(TimeSpan.FromSeconds(30));
        }
        await Eventually.HoldsAsync(() => nodes.All(n => n.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == count),
            TimeSpan.FromSeconds(30), () => string.Join("; ", nodes.Select(n => n.Name + ": " + string.Join(", ", n.Cluster.State.Members.Select(m => m.Status)))));
        await nodes[0].Accounts.WaitForHostsAsync(count, TimeSpan.FromSeconds(30));
        output.WriteLine($"{count} nodes up and hosting slices in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        return cluster;
    }

    public Connect ConnectFor(string user) => new(user, new ConnectionParameters
    {
        SipServerIp = Registrar.Domain,
        SipServerUrl = $"udp://127.0.0.1:{Registrar.UdpEndPoint.Port}",
        Register = true,
        User = user,
        Password = "pw-" + user,
    });

    public static IReadOnlyList<string> Users(int count) => [.. Enumerable.Range(0, count).Select(i => $"user{i:D4}")];

    /// <summary>Places every account through <paramref name="from"/> and checks each connect answered Ok.</summary>
    public async Task PlaceAsync(TestNode from, IEnumerable<string> users)
    {
        var results = await Task.WhenAll(users.Select(u => from.Accounts.PlaceAsync(ConnectFor(u), TimeSpan.FromSeconds(30))));
        var failed = results.Where(r => !r.IsSuccess).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} connects failed, e.g. {failed.FirstOrDefault()}");
    }

    /// <summary>The node whose SIP socket registered <paramref name="user"/>'s one live binding, or null when the user has none or several.</summary>
    public TestNode? BindingNode(string user)
    {
        var bindings = Registrar.GetBindings(user);
        return bindings.Count != 1 ? null : Nodes.FirstOrDefault(n => bindings[0].ContactUri.Contains($":{n.SipPort}", StringComparison.Ordinal));
    }

    /// <summary>Waits until every user has exactly one live binding, registered from a running node.</summary>
    public Task AllRegisteredFromRunningNodesAsync(IReadOnlyList<string> users, TimeSpan timeout)
        => Eventually.HoldsAsync(() => users.All(u => BindingNode(u) is { Stopped: false }), timeout, () =>
        {
            var missing = users.Where(u => BindingNode(u) is not { Stopped: false }).ToList();
            return $"{missing.Count} of {users.Count} accounts not registered from a running node, e.g. "
                + string.Join(", ", missing.Take(3).Select(u => $"{u}: [{string.Join(" | ", Registrar.GetBindings(u).Select(b => b.ContactUri))}]"));
        });

    /// <summary>Per running node: the accounts it counts as registered.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RegisteredPerNodeAsync()
    {
        var counts = new Dictionary<string, int>();
        foreach (var node in Running)
        {
            counts[node.Name] = (await node.Accounts.GetNodeStatusAsync(TimeSpan.FromSeconds(5))).Count(ConnectionStatus.Registered);
        }
        return counts;
    }

    /// <summary>Per running node: the slices it runs.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<int>>> SlicesPerNodeAsync()
    {
        var slices = new Dictionary<string, IReadOnlyList<int>>();
        foreach (var node in Running)
        {
            slices[node.Name] = await node.Accounts.GetLocalSlicesAsync(TimeSpan.FromSeconds(5));
        }
        return slices;
    }

    /// <summary>Waits until every running node's mediator knows <paramref name="topic"/> has a subscriber (pub/sub registries spread by gossip).</summary>
    public Task TopicKnownEverywhereAsync(string topic)
        => Eventually.HoldsAsync(async () =>
        {
            foreach (var node in Running)
            {
                var topics = await DistributedPubSub.Get(node.System).Mediator.Ask<CurrentTopics>(GetTopics.Instance, TimeSpan.FromSeconds(5));
                if (!topics.Topics.Contains(topic))
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(20), () => $"topic {topic} not known on every node");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Reverse())
        {
            await node.DisposeAsync();
        }
        await Registrar.DisposeAsync();
    }
}
