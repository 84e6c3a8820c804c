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

    /// <summary>Every message the topic delivers (events and probes).</summary>
    public static async Task<ConcurrentQueue<object>> SubscribeAllAsync(ActorSystem system, string topic)
    {
        var messages = new ConcurrentQueue<object>();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = system.ActorOf(Props.Create(() => new MessageCollector(messages, subscribed)));
        ClusterEvents.Subscribe(system, collector, topic);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return messages;
    }

    private sealed class MessageCollector : ReceiveActor
    {
        public MessageCollector(ConcurrentQueue<object> messages, TaskCompletionSource subscribed)
        {
            Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => subscribed.TrySetResult());
            ReceiveAny(messages.Enqueue);
        }
    }
}
