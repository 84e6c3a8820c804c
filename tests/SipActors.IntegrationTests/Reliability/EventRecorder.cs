using System.Collections.Concurrent;
using Akka.Actor;
using SipActors.Events;

namespace SipActors.IntegrationTests.Reliability;

/// <summary>Keeps the events of the given types from the event stream, for specs with thousands of accounts (too many for a TestActor's queue).</summary>
internal sealed class EventRecorder : ReceiveActor
{
    public EventRecorder(ConcurrentQueue<ConnectionEvent> events)
    {
        Receive<ConnectionEvent>(events.Enqueue);
    }
}

internal static class EventRecording
{
    public static ConcurrentQueue<ConnectionEvent> Start(ActorSystem system, params Type[] types)
    {
        var events = new ConcurrentQueue<ConnectionEvent>();
        var recorder = system.ActorOf(Props.Create(() => new EventRecorder(events)));
        foreach (var type in types)
        {
            system.EventStream.Subscribe(recorder, type);
        }
        return events;
    }
}
