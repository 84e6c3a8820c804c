using Akka.Actor;
using SipActors.Sip;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Cli.Calls;

/// <summary>
/// Hears the stack's client transactions end and tells the driver of the INVITEs' and BYEs' (one
/// Tell, nothing else on the stack's thread): no event says when a BYE was answered, nor how many
/// INVITEs a call took (a 407 costs a second one), and the report wants both.
/// </summary>
internal sealed class CallsTransactionTrace(IActorRef driver) : ISipTransactionTrace
{
    public void OnClientTransactionEnded(string method, ReadOnlyMemory<byte> request, SipChannel channel, SipResponse? response, Exception? error)
    {
        if (method is "INVITE" or "BYE")
        {
            // The Call-ID is read now: the response's arrays are reused once this returns.
            driver.Tell(new TransactionEnded(method, method == "BYE" ? response?.CallId : null, response?.StatusCode, DateTimeOffset.UtcNow));
        }
    }
}
