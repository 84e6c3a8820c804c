namespace SipActors.Sip.Transactions;

/// <summary>
/// A client transaction's outcome as a task, for callers that await it: its continuations run
/// asynchronously, never on the receive loop or the wheel that ended the transaction.
/// </summary>
internal sealed class ClientTransactionTask() : TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously), IClientTransactionObserver
{
    public void OnFinalResponse(SipResponse response) => TrySetResult(response);

    public void OnFailure(Exception error) => TrySetException(error);
}
