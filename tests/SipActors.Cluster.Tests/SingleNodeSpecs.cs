using Akka.Actor;
using Akka.DistributedData;
using SipActors.Cluster.Events;
using SipActors.Cluster.Sharding;
using SipActors.Cluster.Tests.Nodes;
using SipActors.Connections;
using SipActors.Sip.Registrar;

namespace SipActors.Cluster.Tests;

/// <summary>A cluster of one node: what a placement refuses, and commands for accounts it does not know.</summary>
public sealed class SingleNodeSpecs : IAsyncLifetime
{
    private readonly EmbeddedRegistrar _registrar = EmbeddedRegistrar.Start();
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = TestNode.Start("solo");
        await _node.Cluster.JoinAsync(_node.Cluster.SelfAddress).WaitAsync(TimeSpan.FromSeconds(30));
        await _node.Accounts.WaitForHostsAsync(1, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _registrar.DisposeAsync();
    }

    private ConnectionParameters Parameters(string user) => new()
    {
        SipServerIp = _registrar.Domain,
        SipServerUrl = $"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}",
        Register = true,
        User = user,
        Password = "pw-" + user,
    };

    [Fact]
    public async Task Should_refuse_to_place_a_connect_with_a_provider_and_say_why()
    {
        var connect = new Connect("alice", Provider: _ => Task.FromResult(Parameters("alice")));

        var thrown = Assert.Throws<ArgumentException>(() => _node.Accounts.Place(connect));
        // Sent to the region anyway (on the node that hosts its slice, so nothing is serialized): the slice answers the same.
        var answered = await _node.Accounts.Region.Ask<CommandResult>(connect, TimeSpan.FromSeconds(10));

        Assert.Contains("a Connect with a Provider cannot be placed on the cluster", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("pass ConnectionParameters instead", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, answered.Status);
        Assert.Contains("a Connect with a Provider cannot be placed on the cluster", answered.Error, StringComparison.Ordinal);
        Assert.Empty(_registrar.GetBindings("alice"));
    }

    [Fact]
    public async Task Should_answer_for_an_unknown_account_without_creating_it_and_forget_a_disconnected_one()
    {
        var unknown = await _node.Accounts.Region.Ask<ConnectionStateResult>(new GetState("ghost"), TimeSpan.FromSeconds(10));
        var placed = await _node.Accounts.PlaceAsync(new Connect("bob", Parameters("bob")), TimeSpan.FromSeconds(15));
        var state = await _node.Accounts.Region.Ask<ConnectionStateResult>(new GetState("bob"), TimeSpan.FromSeconds(10));
        var disconnected = await _node.Accounts.Region.Ask<CommandResult>(new Disconnect("bob"), TimeSpan.FromSeconds(15));

        Assert.Equal(ConnectionStatus.Disconnected, unknown.Status);
        Assert.True(placed.IsSuccess, placed.Error);
        Assert.Equal(ConnectionStatus.Registered, state.Status);
        Assert.Equal(CommandStatus.Ok, disconnected.Status);
        Assert.Empty(_registrar.GetBindings("bob"));
        await Eventually.HoldsAsync(async () => (await _node.Accounts.GetNodeStatusAsync(TimeSpan.FromSeconds(5))).Count(ConnectionStatus.Registered) == 0,
            TimeSpan.FromSeconds(10), () => "bob still counted as registered");
    }

    [Fact]
    public async Task Should_connect_definitions_that_reach_a_running_slice_later_by_gossip()
    {
        var placed = await _node.Accounts.PlaceAsync(new Connect("dave", Parameters("dave")), TimeSpan.FromSeconds(15));
        var slices = _node.Accounts.Extractor.Accounts;
        var slice = slices.SliceOf("dave");
        var late = Enumerable.Range(0, 1000).Select(i => $"late{i}").First(u => slices.SliceOf(u) == slice);

        // As a definition written on another node would arrive: straight into the replica, not through the slice.
        var cluster = Akka.Cluster.Cluster.Get(_node.System);
        var written = await DistributedData.Get(_node.System).Replicator.Ask<IUpdateResponse>(Dsl.Update(AccountDefinition.KeyOf(slice),
            LWWDictionary<string, AccountDefinition>.Empty, WriteLocal.Instance, d => d.SetItem(cluster, late, new AccountDefinition(late, Parameters(late)))),
            TimeSpan.FromSeconds(5));

        Assert.True(placed.IsSuccess, placed.Error);
        Assert.IsType<UpdateSuccess>(written);
        await Eventually.HoldsAsync(() => _registrar.GetBindings(late).Count == 1, TimeSpan.FromSeconds(15), () => $"{late} not registered");
    }

    [Fact]
    public async Task Should_report_the_node_s_accounts_process_and_stack_when_asked_through_its_path()
    {
        var placed = await _node.Accounts.PlaceAsync(new Connect("erin", Parameters("erin")), TimeSpan.FromSeconds(15));
        // As a coordinator on another node asks it: by the node actor's path, not a local reference.
        var path = new RootActorPath(_node.Cluster.SelfAddress) / "user" / ClusterAccounts.NodeActorName;

        var report = await _node.System.ActorSelection(path).Ask<NodeReport>(GetNodeReport.Instance, TimeSpan.FromSeconds(10));

        Assert.True(placed.IsSuccess, placed.Error);
        Assert.Equal(_node.Cluster.SelfAddress.ToString(), report.Node);
        Assert.Equal(1, report.Accounts);
        Assert.Equal(1, report.Count(ConnectionStatus.Registered));
        Assert.True(report.CpuSeconds > 0, "the process's CPU is reported");
        Assert.True(report.PeakWorkingSetBytes >= report.WorkingSetBytes && report.WorkingSetBytes > 0);
    }

    [Fact]
    public async Task Should_publish_a_probe_with_the_node_s_address_on_the_topic_it_names()
    {
        var connection = await EventObserver.SubscribeAllAsync(_node.System, ClusterEventTopics.Connection);
        var session = await EventObserver.SubscribeAllAsync(_node.System, ClusterEventTopics.Session);

        ClusterEvents.Probe(_node.System, _node.Cluster.SelfAddress, new ClusterEventProbe("p-1", ClusterEventTopics.Session));
        ClusterEvents.Probe(_node.System, _node.Cluster.SelfAddress, new ClusterEventProbe("p-2", "elsewhere"));

        await Eventually.HoldsAsync(() => !session.IsEmpty, TimeSpan.FromSeconds(10), () => "no probe on the session topic");
        await Task.Delay(300);
        Assert.Equal([new ClusterEventProbe("p-1", ClusterEventTopics.Session, _node.Cluster.SelfAddress.ToString())], session);
        Assert.Empty(connection); // neither the session probe nor one naming a topic that is not an event topic
    }
}
