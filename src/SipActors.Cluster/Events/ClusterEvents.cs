using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace SipActors.Cluster.Events;

/// <summary>Cluster-wide account events: start a node's bridge, subscribe an actor from any node.</summary>
public static class ClusterEvents
{
    /// <summary>Name of the bridge actor (<c>/user/sip-event-bridge</c>).</summary>
    public const string BridgeName = "sip-event-bridge";

    /// <summary>Starts this node's bridge (once per node).</summary>
    public static IActorRef StartBridge(ActorSystem system) => system.ActorOf(ClusterEventBridge.Props(), BridgeName);

    /// <summary>
    /// Subscribes <paramref name="subscriber"/> to a topic of <see cref="ClusterEventTopics"/>; it is
    /// answered <see cref="SubscribeAck"/>, then receives <see cref="ClusterAccountEvent"/>s. Other
    /// nodes learn of the subscription by gossip (about a second on the default settings).
    /// </summary>
    public static void Subscribe(ActorSystem system, IActorRef subscriber, string topic = ClusterEventTopics.Connection)
        => DistributedPubSub.Get(system).Mediator.Tell(new Subscribe(topic, subscriber), subscriber);

    /// <summary>
    /// Asks the bridge of the node at <paramref name="node"/> to publish <paramref name="probe"/> on its
    /// topic: when it reaches the subscriber, that node delivers its events to it.
    /// </summary>
    public static void Probe(ActorSystem system, Address node, ClusterEventProbe probe)
        => system.ActorSelection(new RootActorPath(node) / "user" / BridgeName).Tell(probe, ActorRefs.NoSender);
}
