using SipActors.Cluster.Events;
using SipActors.Connections;
using SipActors.Events;

namespace SipActors.Cluster.Tests.Events;

/// <summary>An event that travelled as JSON comes back as the record a local subscriber gets.</summary>
public sealed class ClusterAccountEventDecoderSpecs
{
    private static readonly DateTimeOffset Time = new(2026, 12, 4, 19, 0, 0, 250, TimeSpan.Zero);

    public static TheoryData<AccountEvent> Events() => new(
        new ConnectStarted("alice", Time),
        new Connecting("alice", Time, 2, "udp://127.0.0.1:5060"),
        new Connected("alice", Time, "udp://127.0.0.1:5060", "127.0.0.1:40000"),
        new Registered("alice", Time, 200, "OK", 300, "<sip:alice@127.0.0.1:40000>"),
        new Unregistered("alice", Time, null, "Connection Error"),
        new RegistrationFailed("alice", Time, 401, "Authentication Error"),
        new ConnectFailed("alice", Time, "timed out", "Request Timeout"),
        new Disconnecting("alice", Time),
        new Disconnected("alice", Time, true, "reset"),
        new NewMessage("alice", Time, "remote", "sip:bob@example.test", "sip:alice@example.test", "text/plain", "hi"),
        new SessionEnded("alice", Time, "call-1@host", "remote", SessionEndCauses.Terminated, 200, "OK"));

    [Theory]
    [MemberData(nameof(Events))]
    public void Should_rebuild_the_record_from_what_the_bridge_publishes(AccountEvent original)
    {
        var travelled = new ClusterAccountEvent("akka.tcp://sipactors@127.0.0.1:4053", original.Account, 7, original.Topic, original.Time, original.ToJson());

        Assert.Equal(original, ClusterAccountEventDecoder.TryDecode(travelled));
    }

    [Fact]
    public void Should_rebuild_a_configuration_without_its_password()
    {
        var configuration = new ConnectionConfiguration("example.test", "udp://127.0.0.1:5060", "Alice", true, "alice", "s3cr3t", "<sip:alice@127.0.0.1:40000>", "127.0.0.1:40000");
        var original = new ConnectSucceeded("alice", Time, configuration);

        var back = Assert.IsType<ConnectSucceeded>(ClusterAccountEventDecoder.TryDecode(
            new ClusterAccountEvent("node", "alice", 1, original.Topic, Time, original.ToJson())));

        Assert.Equal(configuration with { Password = null }, back.Configuration);
    }

    [Fact]
    public void Should_give_null_for_an_unknown_topic_or_unreadable_json()
    {
        Assert.Null(ClusterAccountEventDecoder.TryDecode(new ClusterAccountEvent("node", "alice", 1, "connection:from-the-future", Time, "{}")));
        Assert.Null(ClusterAccountEventDecoder.TryDecode(new ClusterAccountEvent("node", "alice", 1, ConnectionTopics.Registered, Time, "{not json")));
    }
}
