using Akka.TestKit.Xunit2;
using SipActors.Cluster.Sharding;
using SipActors.Connections;
using Xunit.Abstractions;

namespace SipActors.Cluster.Tests.Sharding;

/// <summary>One gate per node: the accounts of every slice the node hosts share its permits and its counts.</summary>
public sealed class AccountNodeSpecs(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output: output)
{
    [Fact]
    public void Should_share_one_bound_on_attempts_in_flight_between_the_accounts_of_all_slices()
    {
        var node = Sys.ActorOf(AccountNode.Props(new ConnectionSupervisorSettings { MaxConcurrentConnects = 1, ConnectRateLimit = 1000 }));
        var (sliceA, sliceB) = (CreateTestProbe(), CreateTestProbe());
        var (alice, bob) = (CreateTestProbe(), CreateTestProbe());
        var aliceGate = new SliceAccountGate(node, sliceA);
        var bobGate = new SliceAccountGate(node, sliceB);

        aliceGate.RequestPermit(alice, "alice", 1);
        Assert.Equal(1, alice.ExpectMsg<PermitGranted>().Generation);
        bobGate.RequestPermit(bob, "bob", 4);
        bob.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        aliceGate.ReleasePermit(alice, "alice");

        Assert.Equal(4, bob.ExpectMsg<PermitGranted>().Generation);
    }

    [Fact]
    public void Should_count_the_node_s_accounts_and_send_restarts_and_stops_to_their_slice()
    {
        var node = Sys.ActorOf(AccountNode.Props(ConnectionSupervisorSettings.Default));
        var slice = CreateTestProbe();
        var account = CreateTestProbe();
        var gate = new SliceAccountGate(node, slice);

        gate.StatusChanged(account, "alice", ConnectionStatus.Registered);
        gate.StatusChanged(account, "bob", ConnectionStatus.Connecting);
        gate.Restarted(account, "alice");
        Assert.Equal("alice", slice.ExpectMsg<AccountRestarted>().Account.Value);
        node.Tell(GetSupervisorStatus.Instance, TestActor);
        var status = ExpectMsg<SupervisorStatus>();
        gate.Stopped(account, "bob");
        Assert.Equal("bob", slice.ExpectMsg<AccountStopped>().Account.Value);
        node.Tell(GetSupervisorStatus.Instance, TestActor);

        Assert.Equal((2, 1, 1), (status.Accounts, status.Count(ConnectionStatus.Registered), status.Count(ConnectionStatus.Connecting)));
        Assert.Equal(1, ExpectMsg<SupervisorStatus>().Accounts);
    }
}
