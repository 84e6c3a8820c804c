namespace SipActors.Sip.Transactions;

/// <summary>
/// Who hears how a client transaction ended, once: its final response, or a timeout
/// (<see cref="SipTransactionTimeoutException"/>) or transport error (<see cref="Transports.SipTransportException"/>).
/// Called synchronously on the thread that ended it (a receive loop, the timer wheel, or the
/// sender itself when the send fails at once), so an observer must be short and must not block:
/// build and send the next request, or hand the outcome over. A registration that answers its
/// challenge this way needs no thread-pool hop between its two transactions.
/// </summary>
internal interface IClientTransactionObserver
{
    void OnFinalResponse(SipResponse response);

    void OnFailure(Exception error);
}
