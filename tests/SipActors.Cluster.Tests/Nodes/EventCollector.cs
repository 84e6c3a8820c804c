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

/// <summary>Starts an <see cref="EventCollector"/> on a node and subscribes it.</summary>
internal static class EventObserver
{
    public static async Task<ConcurrentQueue<ClusterAccountEvent>> SubscribeAsync(ActorSystem system, string topic = ClusterEventTopics.Connection)
    {
        var events = new ConcurrentQueue<ClusterAccountEvent>();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = system.ActorOf(Props.Create(() => new EventCollector(events, subscribed)));
        ClusterEvents.Subscribe(system, collector, topic);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return events;
    }
}
