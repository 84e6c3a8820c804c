using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Events;

namespace SipActors.Cluster.Events;

/// <summary>
/// One per node: every account event of the node's event stream, published to
/// <see cref="ClusterEventTopics"/> as a <see cref="ClusterAccountEvent"/> numbered per account.
/// Subscribers anywhere in the cluster use <see cref="ClusterEvents.Subscribe"/>, and learn that a
/// node delivers to them with a <see cref="ClusterEventProbe"/>.
/// </summary>
public sealed class ClusterEventBridge : ReceiveActor
{
    private readonly IActorRef _mediator;
    private readonly string _node;
    private readonly Dictionary<AccountId, long> _sequences = [];

    public ClusterEventBridge()
    {
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<AccountEvent>(e =>
        {
            var sequence = _sequences.GetValueOrDefault(e.Account) + 1;
            _sequences[e.Account] = sequence;
            var topic = e.Topic;
            _mediator.Tell(new Publish(ClusterEventTopics.For(topic), new ClusterAccountEvent(_node, e.Account, sequence, topic, e.Time, e.ToJson())));
        });
        Receive<ClusterEventProbe>(p => p.Topic is ClusterEventTopics.Connection or ClusterEventTopics.Session, p =>
            _mediator.Tell(new Publish(p.Topic, p with { Node = _node })));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new ClusterEventBridge());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AccountEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
