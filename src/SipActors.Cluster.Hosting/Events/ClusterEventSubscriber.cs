using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Cluster.Events;
using SipActors.Events;

namespace SipActors.Cluster.Hosting.Events;

/// <summary>
/// One <c>ISipEvents</c> subscription in a clustered host: this node's account events from its
/// event stream, as they are (a <c>connection:newRTCSession</c> keeps its call handle), and every
/// other node's from the DistributedPubSub topics of <see cref="ClusterEventTopics"/>, decoded back
/// into the same records (<see cref="ClusterAccountEventDecoder"/>; a remote newRTCSession cannot
/// be rebuilt and is left out: its call's <c>session:*</c> events do arrive). The node's own
/// messages on the topics are dropped, so each event arrives once. Writes never wait: the
/// channel drops its oldest event when the reader falls behind.
/// </summary>
internal sealed class ClusterEventSubscriber : ReceiveActor
{
    private readonly ChannelWriter<AccountEvent> _writer;
    private readonly Type _eventType;
    private readonly IActorRef _mediator;
    private readonly string _self;
    private readonly IReadOnlyList<string> _topics;

    public ClusterEventSubscriber(Type eventType, ChannelWriter<AccountEvent> writer)
    {
        _writer = writer;
        _eventType = eventType;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        _topics = TopicsFor(eventType);
        Receive<AccountEvent>(e => _writer.TryWrite(e));
        Receive<ClusterAccountEvent>(OnRemote);
        Receive<SubscribeAck>(_ => { });
        Receive<UnsubscribeAck>(_ => { });
        // Other subscribers' probes travel on the same topics.
        Receive<ClusterEventProbe>(_ => { });
    }

    public static Props Props(Type eventType, ChannelWriter<AccountEvent> writer)
        => Akka.Actor.Props.Create(() => new ClusterEventSubscriber(eventType, writer));

    /// <summary>The pub/sub topics that carry events of <paramref name="eventType"/>: a few per cluster, never one per account.</summary>
    internal static IReadOnlyList<string> TopicsFor(Type eventType)
        => typeof(SessionEvent).IsAssignableFrom(eventType) ? [ClusterEventTopics.Session]
            : typeof(ConnectionEvent).IsAssignableFrom(eventType) ? [ClusterEventTopics.Connection]
            : [ClusterEventTopics.Connection, ClusterEventTopics.Session];

    protected override void PreStart()
    {
        foreach (var topic in _topics)
        {
            _mediator.Tell(new Subscribe(topic, Self));
        }
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        foreach (var topic in _topics)
        {
            _mediator.Tell(new Unsubscribe(topic, Self));
        }
        // Readers finish their loop instead of waiting forever when the system or the subscription stops.
        _writer.TryComplete();
    }

    private void OnRemote(ClusterAccountEvent e)
    {
        if (e.Node == _self)
        {
            return; // this node's own: already delivered from the event stream
        }
        if (ClusterAccountEventDecoder.TryDecode(e) is { } decoded && _eventType.IsInstanceOfType(decoded))
        {
            _writer.TryWrite(decoded);
        }
    }
}
