using System.Collections.Concurrent;
using Akka.Actor;
using SipActors.Cluster.Events;

namespace SipActors.Cluster.Tests.Nodes;

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
