using Akka.Actor;
using SipActors.Events;

namespace SipActors.Cli.Run;

/// <summary>
/// Prints every account event of <c>sipactors run</c> (<c>connection:*</c> and the <c>session:*</c>
/// steps of calls) as a line (or a JSON object),
/// the only writer of the output while the run lasts, so lines never interleave. With
/// <c>--exit-on-failure</c> it reports the first failed connect through <c>failure</c>.
/// </summary>
internal sealed class EventPrinterActor : ReceiveActor
{
    /// <summary>Answered with <see cref="Flushed"/> once every event received before it is written.</summary>
    public sealed class Flush
    {
        public static readonly Flush Instance = new();
        private Flush() { }
    }

    public sealed class Flushed
    {
        public static readonly Flushed Instance = new();
        private Flushed() { }
    }

    public EventPrinterActor(TextWriter output, bool json, TaskCompletionSource<ConnectFailed>? failure)
    {
        Receive<AccountEvent>(e =>
        {
            output.WriteLine(json ? ConnectionEventJson.Serialize(e) : EventLine.Format(e));
            if (e is ConnectFailed failed)
            {
                failure?.TrySetResult(failed);
            }
        });
        Receive<Flush>(_ =>
        {
            output.Flush();
            Sender.Tell(Flushed.Instance);
        });
    }

    public static Props Props(TextWriter output, bool json, TaskCompletionSource<ConnectFailed>? failure)
        => Akka.Actor.Props.Create(() => new EventPrinterActor(output, json, failure));
}
