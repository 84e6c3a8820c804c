using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// Hears how every client transaction of a <see cref="SipTransactionLayer"/> ended, with the
/// request it sent: what a failure trace (<c>sipactors load --trace-errors</c>) is built from.
/// Called on the thread that ended the transaction (a receive loop, the timer wheel, a sender),
/// before the transaction's owner hears it: the response's arrays and the request's (pooled) bytes
/// are reused once that returns, so copy what you keep, and return at once.
/// </summary>
public interface ISipTransactionTrace
{
    /// <param name="method">The request's method.</param>
    /// <param name="request">The request as sent (credentials included: redact before writing it anywhere); valid during the call only.</param>
    /// <param name="channel">The flow it went over.</param>
    /// <param name="response">The final response, or null when the transaction failed with <paramref name="error"/>.</param>
    /// <param name="error">A timeout (<see cref="SipTransactionTimeoutException"/>) or transport error, or null.</param>
    void OnClientTransactionEnded(string method, ReadOnlyMemory<byte> request, SipChannel channel, SipResponse? response, Exception? error);
}
