using System.Threading.Channels;
using Akka.Actor;
using SipActors.Events;

namespace SipActors.Hosting.Events;

/// <summary>
/// The event stream's side of one <see cref="SipEventSubscription"/>: writes each event into the
/// subscription's bounded channel without ever waiting (the channel drops its oldest event when
/// full), so a slow reader cannot hold up this actor, the event stream, or an account.
/// </summary>
internal sealed class SipEventBridgeActor : ReceiveActor
{
    private readonly ChannelWriter<AccountEvent> _writer;

    public SipEventBridgeActor(ChannelWriter<AccountEvent> writer)
    {
        _writer = writer;
        Receive<AccountEvent>(e => _writer.TryWrite(e));
    }

    public static Props Props(ChannelWriter<AccountEvent> writer) => Akka.Actor.Props.Create(() => new SipEventBridgeActor(writer));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        // Readers finish their loop instead of waiting forever when the system or the subscription stops.
        _writer.TryComplete();
    }
}
