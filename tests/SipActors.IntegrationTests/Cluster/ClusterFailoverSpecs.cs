using System.Globalization;
using System.Text.Json;
using SipActors.Connections;
using SipActors.Events;
using SipActors.IntegrationTests.Peers;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Cluster;

/// <summary>
/// The multi-node mode with real processes against Kamailio on loopback: three <c>sipactors
/// node</c>s, a <c>sipactors events</c> observer started before the load, and <c>sipactors load
/// --cluster --min-nodes 3 --no-unregister</c>; then <c>kill -9</c> of one node during the hold.
/// </summary>
public sealed class ClusterFailoverSpecs : IAsyncLifetime
{
    private const int Accounts = 300;
    private const int Slices = 30; // about ten per node
    private static readonly TimeSpan FailoverGoal = TimeSpan.FromSeconds(60);
    private readonly KamailioFixture _kamailio = new();
    private readonly ITestOutputHelper _output;

    public ClusterFailoverSpecs(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => _kamailio.InitializeAsync();

    public Task DisposeAsync() => _kamailio.DisposeAsync();

    [Fact]
    public async Task Should_register_every_account_of_a_killed_node_again_from_a_survivor_within_60_s()
    {
        await using var lab = new ClusterLab(_kamailio, Slices);
        var seed = await lab.StartNodeAsync();
        var victim = await lab.StartNodeAsync();
        var third = await lab.StartNodeAsync();
        await lab.StartObserverAsync();
        var reportPath = Path.Combine(_kamailio.RunDirectory, "report.json");
        // The hold outlasts the failover: the coordinator sees the losses and the re-registrations.
        var load = lab.StartLoad(3, Accounts, reportPath, "--no-unregister", "--duration", "50");

        // Placed and registered once each, spread over the three nodes.
        var before = await lab.WaitForEventsAsync(e => RegisteredAccounts(e).Count == Accounts, ClusterLab.Bound * 2, $"{Accounts} accounts registered");
        var home = before.Where(e => e.Topic == ConnectionTopics.Registered).GroupBy(e => e.Account).ToDictionary(g => g.Key, g => Assert.Single(g).Node);
        var perNode = home.Values.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        _output.WriteLine("before: " + string.Join(", ", perNode.Select(p => $"{p.Key} {p.Value}")));
        Assert.Equal(3, perNode.Count);
        Assert.All(perNode.Values, n => Assert.True(n >= Accounts / 10, $"a node holds {n} of {Accounts} accounts: {string.Join(", ", perNode)}"));
        AssertEverySliceOnOneNode(home);

        // Each node writes its accounts' bindings once a second and gossips them every 2 s: a few
        // seconds let the last registrations' records reach the survivors before the kill.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var moved = home.Where(p => p.Value == victim.Address).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var bindingsBefore = await BindingsAsync(moved);
        var killedAt = lab.Clock.Elapsed;
        victim.Process.KillHard();

        // Every moved account registered again from a survivor, seen by the observer as a second connection:registered.
        var after = await lab.WaitForEventsAsync(e => moved.All(a => RegisteredAgain(e, a, killedAt) is not null), FailoverGoal,
            $"the {moved.Count} accounts of the killed node registered again from a survivor");
        var failover = moved.Max(a => RegisteredAgain(after, a, killedAt)!.At) - killedAt;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"killed {victim.Address} with {moved.Count} accounts: all registered again {failover.TotalSeconds:0.0} s later"));
        Assert.True(failover < FailoverGoal);
        var now = after.Where(e => e.Topic == ConnectionTopics.Registered).GroupBy(e => e.Account).ToDictionary(g => g.Key, g => g.MaxBy(e => e.At)!.Node);
        Assert.All(moved, a => Assert.Contains(now[a], new[] { seed.Address, third.Address }));
        AssertEverySliceOnOneNode(now);
        // The survivors' own accounts were not disturbed: one registration each, all on their first node.
        Assert.All(home.Where(p => !moved.Contains(p.Key)), p => Assert.Single(after, e => e.Account == p.Key && e.Topic == ConnectionTopics.Registered));
        // No account started on two live nodes: the killed one, then at most one survivor.
        Assert.All(after.Where(e => e.Topic == ConnectionTopics.ConnectStarted).GroupBy(e => e.Account),
            g => Assert.True(g.Select(e => e.Node).Distinct().Count() <= (moved.Contains(g.Key) ? 2 : 1), $"{g.Key} started on {string.Join(", ", g.Select(e => e.Node))}"));

        // The load's report: every account registered at the end of its hold, the three nodes, the outage counted.
        var code = await load.WaitForExitAsync(TimeSpan.FromSeconds(120));
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath));
        var r = report.RootElement;
        _output.WriteLine($"load exit {code}; registeredAtHoldEnd {r.GetProperty("registeredAtHoldEnd")}, losses {r.GetProperty("losses")}, reregistrations {r.GetProperty("reregistrations")}, lostWithNode {r.GetProperty("cluster").GetProperty("lostWithNode")}");
        Assert.True(code == 0, lab.Describe());
        Assert.Equal(Accounts, r.GetProperty("registeredAtHoldEnd").GetInt32());
        Assert.Equal(moved.Count, r.GetProperty("cluster").GetProperty("lostWithNode").GetInt32());
        Assert.Equal(moved.Count, r.GetProperty("reregistrations").GetInt32());
        var nodes = r.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("address").GetString()!, n => n);
        Assert.Equal(new[] { seed.Address, victim.Address, third.Address }.Order(StringComparer.Ordinal), nodes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(perNode[victim.Address], nodes[victim.Address].GetProperty("registered").GetInt32());
        // One binding per account: the survivors' REGISTERs carry the same +sip.instance and reg-id, so
        // Kamailio replaced the dead node's Contacts instead of keeping them beside the new ones.
        var (users, contacts) = (await _kamailio.GetRegisteredUsersAsync(), await _kamailio.GetContactsAsync());
        _output.WriteLine($"Kamailio: {users} users, {contacts} contacts");
        Assert.Equal((Accounts, Accounts), (users, contacts));
        // The survivors carried the killed node's registrations on where their record had reached
        // them: the same Call-ID with a higher CSeq (else a fresh Call-ID, also valid).
        var bindingsAfter = await BindingsAsync(moved);
        var continued = moved.Count(a => bindingsBefore.TryGetValue(a, out var b) && bindingsAfter.TryGetValue(a, out var n) && n.CallId == b.CallId && n.CSeq > b.CSeq);
        _output.WriteLine($"{continued} of {moved.Count} moved accounts kept their Call-ID with a higher CSeq");
        Assert.All(moved, a => Assert.True(bindingsBefore.ContainsKey(a) && bindingsAfter.ContainsKey(a), $"{a}: no binding in Kamailio's location table ({bindingsBefore.Count} and {bindingsAfter.Count} read)"));
        Assert.True(continued >= moved.Count * 9 / 10, $"only {continued} of {moved.Count} moved accounts kept their Call-ID and went on with a higher CSeq");
    }

    /// <summary>User → Call-ID and CSeq of its binding (one Contact per AOR here), from <c>kamcmd ul.lookup</c>.</summary>
    private async Task<Dictionary<string, (string CallId, long CSeq)>> BindingsAsync(IEnumerable<string> users)
    {
        var bindings = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            string? callId = null;
            foreach (var raw in (await _kamailio.LookupLocationAsync(user)).Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase))
                {
                    callId = line[8..].Trim();
                }
                else if (line.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase) && callId is not null
                    && long.TryParse(line[5..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var cseq))
                {
                    bindings[user] = (callId, cseq);
                }
            }
        }
        return bindings;
    }

    private static HashSet<string> RegisteredAccounts(IReadOnlyList<SeenEvent> events)
        => events.Where(e => e.Topic == ConnectionTopics.Registered).Select(e => e.Account).ToHashSet(StringComparer.Ordinal);

    private static SeenEvent? RegisteredAgain(IReadOnlyList<SeenEvent> events, string account, TimeSpan after)
        => events.FirstOrDefault(e => e.Account == account && e.Topic == ConnectionTopics.Registered && e.At > after);

    /// <summary>All accounts of a slice live on one node: a slice never runs on two.</summary>
    private static void AssertEverySliceOnOneNode(IReadOnlyDictionary<string, string> nodeOf)
    {
        var extractor = new AccountMessageExtractor(Slices);
        Assert.All(nodeOf.GroupBy(p => extractor.SliceOf(new AccountId(p.Key))),
            g => Assert.True(g.Select(p => p.Value).Distinct().Count() == 1, $"slice {g.Key} on {string.Join(", ", g.Select(p => p.Value).Distinct())}"));
    }
}
