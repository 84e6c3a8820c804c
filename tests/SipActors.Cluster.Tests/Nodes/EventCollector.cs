using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Cluster.Events;

namespace SipActors.Cluster.Tests.Nodes;

/// <summary>An observer: keeps every cluster-wide event it receives.</summary>
internal sealed class EventCollector : ReceiveActor
{
    public EventCollector(ConcurrentQueue<ClusterAccountEvent> events, TaskCompletionSource subscribed)
    {
        Receive<SubscribeAck>(_ => subscribed.TrySetResult());
        Receive<ClusterAccountEvent>(events.Enqueue);
    }
}
