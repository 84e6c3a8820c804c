using Akka.Actor;
using Akka.Configuration;
using SipActors.Cli.Cluster;
using SipActors.Cluster.Events;
using SipActors.Events;

namespace SipActors.Cli.Tests.Cluster;

/// <summary>The observer's printer: a line per event with its sequence number, and the gaps it finds by them.</summary>
public sealed class ClusterEventPrinterSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const string Node = "akka.tcp://sipactors@127.0.0.1:4054";
    private readonly ActorSystem _system = ActorSystem.Create("printer-spec", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
    private readonly ConcurrentStringWriter _output = new();
    private readonly ConcurrentStringWriter _error = new();
    private IActorRef _printer = ActorRefs.Nobody;

    public Task InitializeAsync()
    {
        _printer = _system.ActorOf(ClusterEventPrinter.Props(_output, _error, json: false, _ => true, "probe", 1, new TaskCompletionSource()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task Should_report_the_events_missing_by_an_accounts_sequence_numbers_on_its_node()
    {
        _printer.Tell(Event("alice", 1, new ConnectStarted(new AccountId("alice"), DateTimeOffset.UnixEpoch)));
        _printer.Tell(Event("alice", 2, new Connecting(new AccountId("alice"), DateTimeOffset.UnixEpoch, 0, "udp://127.0.0.1:5060")));
        _printer.Tell(Event("alice", 5, new Registered(new AccountId("alice"), DateTimeOffset.UnixEpoch, 200, "OK", 300, "<sip:alice@127.0.0.1:5070>")));
        // Another node's sequence is its own: an account that moved starts again at 1 there.
        _printer.Tell(Event("alice", 1, new ConnectStarted(new AccountId("alice"), DateTimeOffset.UnixEpoch), node: "akka.tcp://sipactors@127.0.0.1:4055"));

        var state = await _printer.Ask<ObserverState>(GetObserverState.Instance, Timeout);

        Assert.Equal((4L, 2L), (state.Events, state.Gaps));
        Assert.Equal(["sipactors events: 2 event(s) of alice from akka.tcp://sipactors@127.0.0.1:4054 missing (sequence 3..4)"], _error.Lines());
        var registered = Assert.Single(_output.Lines(), l => l.Contains("connection:registered", StringComparison.Ordinal));
        Assert.Contains(" 127.0.0.1:4054 connection:registered alice #5 ", registered, StringComparison.Ordinal);
    }

    private static ClusterAccountEvent Event(string account, long sequence, AccountEvent e, string node = Node)
        => new(node, new AccountId(account), sequence, e.Topic, e.Time, e.ToJson());
}
