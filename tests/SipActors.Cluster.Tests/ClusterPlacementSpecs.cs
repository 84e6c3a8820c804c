using System.Diagnostics;
using Akka.Actor;
using Akka.DistributedData;
using SipActors.Cluster.Events;
using SipActors.Cluster.Sharding;
using SipActors.Cluster.Tests.Nodes;
using Xunit.Abstractions;

namespace SipActors.Cluster.Tests;

/// <summary>Accounts placed over three nodes against the embedded registrar: spread, graceful leave, abrupt loss.</summary>
public sealed class ClusterPlacementSpecs(ITestOutputHelper output)
{
    private const int Accounts = 60;
    private static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_register_each_account_exactly_once_spread_over_three_nodes_with_every_slice_on_one_node()
    {
        await using var cluster = await TestCluster.StartAsync(3, output);
        var users = TestCluster.Users(Accounts);
        var observed = await EventObserver.SubscribeAsync(cluster.Nodes[0].System);
        await cluster.TopicKnownEverywhereAsync(ClusterEventTopics.Connection);

        await cluster.PlaceAsync(cluster.Nodes[0], users);
        await cluster.AllRegisteredFromRunningNodesAsync(users, RegisterTimeout);

        Assert.All(users, u => Assert.Equal(1, cluster.Log.Registrations(u)));
        var perNode = await cluster.RegisteredPerNodeAsync();
        output.WriteLine("registered per node: " + string.Join(", ", perNode.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(Accounts, perNode.Values.Sum());
        Assert.All(perNode.Values, n => Assert.True(n >= Accounts / 10, $"a node holds {n} of {Accounts} accounts"));
        foreach (var user in users)
        {
            // The account's slice runs where its binding was registered from.
            var slice = cluster.Nodes[0].Accounts.Extractor.Accounts.SliceOf(user);
            var slices = await cluster.SlicesPerNodeAsync();
            Assert.Equal([cluster.BindingNode(user)!.Name], slices.Where(s => s.Value.Contains(slice)).Select(s => s.Key));
        }
        var all = (await cluster.SlicesPerNodeAsync()).Values.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());

        // The observer on node0 saw every account's registration, from all three nodes, numbered without a gap.
        await Eventually.HoldsAsync(() => users.All(u => observed.Any(e => e.Account.Value == u && e.Topic == "connection:registered")),
            TimeSpan.FromSeconds(10), () => $"{observed.Count(e => e.Topic == "connection:registered")} registered events seen");
        Assert.Equal(3, observed.Select(e => e.Node).Distinct().Count());
        foreach (var stream in observed.GroupBy(e => (e.Node, e.Account)))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(i => (long)i), stream.Select(e => e.Sequence).Order());
        }
    }

    [Fact]
    public async Task Should_register_the_accounts_of_a_node_that_leaves_gracefully_again_from_the_others()
    {
        await using var cluster = await TestCluster.StartAsync(3, output);
        var users = TestCluster.Users(Accounts);
        await cluster.PlaceAsync(cluster.Nodes[0], users);
        await cluster.AllRegisteredFromRunningNodesAsync(users, RegisterTimeout);
        var leaving = cluster.Nodes[2];
        var moved = users.Where(u => cluster.BindingNode(u) == leaving).ToList();
        Assert.NotEmpty(moved);

        var clock = Stopwatch.StartNew();
        await leaving.LeaveAsync();
        var left = clock.Elapsed;
        await cluster.AllRegisteredFromRunningNodesAsync(users, FailoverTimeout);
        output.WriteLine($"{moved.Count} accounts moved: node left in {left.TotalSeconds:0.0} s, all registered again from the others {clock.Elapsed.TotalSeconds:0.0} s after the leave began");

        foreach (var user in moved)
        {
            // Un-registered by the leaving node before the new owner registered: the log ends removal, then one new binding.
            var history = cluster.Log.Of(user);
            Assert.True(history.Count == 3 && history[0].Expires > 0 && history[1].Expires == 0 && history[2].Expires > 0,
                $"{user}: {string.Join(" | ", history.Select(h => h.Expires))}");
        }
        Assert.All(users.Except(moved), u => Assert.Equal(1, cluster.Log.Registrations(u)));
        Assert.Equal(Accounts, (await cluster.RegisteredPerNodeAsync()).Values.Sum());
        var all = (await cluster.SlicesPerNodeAsync()).Values.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task Should_register_the_accounts_of_a_node_lost_abruptly_again_from_the_survivors_within_a_bounded_time()
    {
        await using var cluster = await TestCluster.StartAsync(3, output);
        var users = TestCluster.Users(Accounts);
        var observed = await EventObserver.SubscribeAsync(cluster.Nodes[0].System);
        await cluster.TopicKnownEverywhereAsync(ClusterEventTopics.Connection);
        await cluster.PlaceAsync(cluster.Nodes[0], users);
        await cluster.AllRegisteredFromRunningNodesAsync(users, RegisterTimeout);
        var lost = cluster.Nodes[2];
        var moved = users.Where(u => cluster.BindingNode(u) == lost).ToList();
        Assert.NotEmpty(moved);

        // The lost node's bindings as the registrar holds them, once a survivor's replica has them too.
        var before = moved.ToDictionary(u => u, u => Assert.Single(cluster.Registrar.GetBindings(u)));
        var survivor = cluster.Nodes[0];
        await Eventually.HoldsAsync(async () => (await ReplicatedBindingsAsync(survivor, moved)).Count == moved.Count,
            TimeSpan.FromSeconds(20), () => "the lost node's bindings did not reach a survivor's replica");
        Assert.All(moved, u => Assert.Contains($":{lost.SipPort};", before[u].ContactUri, StringComparison.Ordinal));

        var clock = Stopwatch.StartNew();
        await lost.CrashAsync();
        await cluster.AllRegisteredFromRunningNodesAsync(users, FailoverTimeout);
        output.WriteLine($"{moved.Count} accounts of the lost node registered again from the survivors {clock.Elapsed.TotalSeconds:0.0} s after it stopped");

        // The survivors' registrations replaced the lost node's bindings (same instance and reg-id)...
        Assert.All(users, u => Assert.Single(cluster.Registrar.GetBindings(u)));
        // ... and carried them on: the same Call-ID, a higher CSeq, a survivor's Contact.
        Assert.All(moved, u =>
        {
            var after = Assert.Single(cluster.Registrar.GetBindings(u));
            Assert.Equal(before[u].CallId, after.CallId);
            Assert.True(after.CSeq > before[u].CSeq, $"{u}: CSeq {after.CSeq} after {before[u].CSeq}");
            Assert.DoesNotContain($":{lost.SipPort};", after.ContactUri, StringComparison.Ordinal);
        });
        Assert.All(moved, u => Assert.Equal(2, cluster.Log.Registrations(u)));
        Assert.All(users.Except(moved), u => Assert.Equal(1, cluster.Log.Registrations(u)));
        Assert.Equal(Accounts, (await cluster.RegisteredPerNodeAsync()).Values.Sum());
        // The observer saw a second connection:registered for each moved account, from a survivor.
        await Eventually.HoldsAsync(() => moved.All(u => observed.Count(e => e.Account.Value == u && e.Topic == "connection:registered") == 2),
            TimeSpan.FromSeconds(10), () => "second registered events missing");
        var lostAddress = lost.Cluster.SelfAddress.ToString();
        Assert.All(moved, u => Assert.Contains(observed, e => e.Account.Value == u && e.Topic == "connection:registered" && e.Node != lostAddress));
    }

    /// <summary>The accounts among <paramref name="users"/> whose binding <paramref name="node"/>'s replica holds.</summary>
    private static async Task<IReadOnlyCollection<string>> ReplicatedBindingsAsync(TestNode node, IReadOnlyList<string> users)
    {
        var replicator = DistributedData.Get(node.System).Replicator;
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slice in users.Select(u => node.Accounts.Extractor.Accounts.SliceOf(u)).Distinct())
        {
            var key = AccountBindingSaved.KeyOf(slice);
            if (await replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(5)) is GetSuccess success)
            {
                found.UnionWith(success.Get(key).Keys.Where(users.Contains));
            }
        }
        return found;
    }
}
