using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// What the transaction layer's table holds for requests we sent: matched by branch, fed the
/// responses, ended once with the final one (or a failure), which its observer hears
/// (<see cref="IClientTransactionObserver"/>: a task for awaiting callers, or the next step of a
/// registration run where the response arrived).
/// </summary>
internal abstract class ClientTransaction(SipTransactionLayer layer, string key, string method, ReadOnlyMemory<byte> request, SipChannel channel,
    IClientTransactionObserver observer)
{
    private int _ended;

    protected SipTransactionLayer Layer { get; } = layer;
    protected SipChannel Channel { get; } = channel;
    protected string Method { get; } = method;
    protected ReadOnlyMemory<byte> Request { get; } = request;

    public string Key { get; } = key;

    public abstract void Start();

    /// <summary>The final response: told to the observer, the first time only.</summary>
    protected void Finish(SipResponse response)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            observer.OnFinalResponse(response);
        }
    }

    /// <summary>A timeout or transport error: told to the observer, unless the transaction already ended.</summary>
    protected void Finish(Exception error)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            observer.OnFailure(error);
        }
    }

    public abstract void OnResponse(SipResponse response);

    public abstract void OnTransportError(Exception error);

    protected void Send(ReadOnlyMemory<byte> bytes)
    {
        ValueTask sending;
        try
        {
            sending = Channel.SendAsync(bytes);
        }
        catch (Exception e)
        {
            OnTransportError(e);
            return;
        }
        if (!sending.IsCompletedSuccessfully)
        {
            _ = AwaitSend(sending);
        }
    }

    private async Task AwaitSend(ValueTask sending)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            OnTransportError(e);
        }
    }

    /// <summary>
    /// Over a connection, its loss is this transaction's transport error (RFC 3261 §17.1.4, §18.4):
    /// a request whose answer can no longer come back fails at once instead of waiting for Timer F.
    /// </summary>
    protected void WatchChannel()
    {
        if (Channel.IsReliable)
        {
            Channel.Closed += OnChannelClosed;
            if (Channel.IsClosed)
            {
                OnChannelClosed(Channel, null); // closed before we subscribed: the event is not raised again
            }
        }
    }

    protected void UnwatchChannel()
    {
        if (Channel.IsReliable)
        {
            Channel.Closed -= OnChannelClosed;
        }
    }

    private void OnChannelClosed(SipChannel channel, Exception? error)
        => OnTransportError(new SipTransportException($"{Method}: {channel} closed before the final response" + (error is null ? "" : ": " + error.Message), error));

    protected SipTransportException AsTransportError(Exception error)
        => error as SipTransportException ?? new SipTransportException($"{Method} could not be sent: {error.Message}", error);
}
