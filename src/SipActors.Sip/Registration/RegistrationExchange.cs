using SipActors.Sip.Transactions;

namespace SipActors.Sip.Registration;

/// <summary>
/// One REGISTER exchange of a <see cref="RegistrationClient"/> (challenge, answer, 423 and 400
/// retries), driven by its transactions' outcomes where they arrive: a 401 read on the receive
/// loop is answered from there, with no task continuation or thread-pool hop between steps. The
/// exchange ends once, with a <see cref="Result"/> or (for a bug, not a SIP failure) an
/// <see cref="Error"/>; whoever started it hears it through the callback it gave, on the thread
/// that ended it, which must hand the outcome over and return.
/// </summary>
public sealed class RegistrationExchange : IClientTransactionObserver
{
    private readonly RegistrationClient _client;
    private readonly Action<RegistrationExchange>? _onCompleted;
    private TaskCompletionSource<RegistrationResult>? _task; // made only for someone who waits
    private volatile bool _completed;

    internal RegistrationExchange(RegistrationClient client, int expires, Action<RegistrationExchange>? onCompleted)
    {
        _client = client;
        Expires = expires;
        _onCompleted = onCompleted;
    }

    /// <summary>The expiry asked for: what the exchange began with, or a 423's Min-Expires.</summary>
    internal int Expires { get; set; }

    /// <summary>REGISTERs sent so far.</summary>
    internal int Attempt { get; set; }

    internal bool RetriedMinExpires { get; set; }

    /// <summary>Whether the next REGISTER answers a digest challenge (the last answer was a 401/407 to retry).</summary>
    internal bool AnsweringChallenge { get; set; }

    internal bool RetriedBadRequest { get; set; }

    /// <summary>Whether the exchange has ended.</summary>
    public bool IsCompleted => _completed;

    /// <summary>How it ended, once <see cref="IsCompleted"/>; null when it ended with an <see cref="Error"/>.</summary>
    public RegistrationResult? Result { get; private set; }

    /// <summary>What broke the exchange outside SIP (never a SIP failure, which is a <see cref="Result"/>).</summary>
    public Exception? Error { get; private set; }

    /// <summary>The outcome as a task (its continuations run asynchronously); faults with <see cref="Error"/>.</summary>
    public Task<RegistrationResult> AsTask()
    {
        lock (this)
        {
            if (_completed)
            {
                return Error is null ? Task.FromResult(Result!) : Task.FromException<RegistrationResult>(Error);
            }
            return (_task ??= new TaskCompletionSource<RegistrationResult>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Sends the next REGISTER of the exchange.</summary>
    internal void Next()
    {
        try
        {
            _client.Send(this);
        }
#pragma warning disable CA1031 // whatever breaks a step ends the exchange with it, as a faulted task did
        catch (Exception e)
#pragma warning restore CA1031
        {
            Complete(null, e);
        }
    }

    void IClientTransactionObserver.OnFinalResponse(SipResponse response)
    {
        RegistrationResult? result;
        try
        {
            result = _client.Decide(this, response);
            // Decide keeps strings and numbers of the response, never the response: a receive loop may reuse its arrays.
            response.ReadOnce = true;
        }
#pragma warning disable CA1031 // on a receive loop: the failure goes to the exchange's owner, not up the loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            Complete(null, e);
            return;
        }
        if (result is null)
        {
            Next();
        }
        else
        {
            Complete(result, null);
        }
    }

    void IClientTransactionObserver.OnFailure(Exception error)
    {
        var result = _client.Failed(this, error);
        Complete(result, result is null ? error : null);
    }

    private void Complete(RegistrationResult? result, Exception? error)
    {
        TaskCompletionSource<RegistrationResult>? task;
        lock (this)
        {
            if (_completed)
            {
                return;
            }
            (Result, Error) = (result, error);
            _completed = true;
            task = _task;
        }
        if (result?.StatusCode is not null)
        {
            _client.Answered?.OnRegistrationAnswered();
        }
        if (task is not null)
        {
            if (error is null)
            {
                task.TrySetResult(result!);
            }
            else
            {
                task.TrySetException(error);
            }
        }
        _onCompleted?.Invoke(this);
    }
}
