using System.Buffers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// What the transaction layer's table holds for requests we sent: matched by branch, fed the
/// responses, ended once with the final one (or a failure), which its observer hears
/// (<see cref="IClientTransactionObserver"/>: a task for awaiting callers, or the next step of a
/// registration run where the response arrived).
/// </summary>
/// <remarks>
/// The request's bytes (kept for retransmission) may be rented from the layer's pool. They go back
/// exactly once, when the transaction has ended and no send still reads them: the transaction holds
/// one lease until its end has been traced, and each send holds one until the channel is done with
/// the bytes. A retransmission that loses the race with the end takes no lease and sends nothing.
/// </remarks>
internal abstract class ClientTransaction(SipTransactionLayer layer, ClientTransactionKey key, string method, ReadOnlyMemory<byte> request, SipChannel channel,
    IClientTransactionObserver observer, byte[]? rented = null)
{
    private int _ended;
    private int _leases = 1; // the transaction's own, given up once its end has been traced

    protected SipTransactionLayer Layer { get; } = layer;
    protected SipChannel Channel { get; } = channel;
    protected string Method { get; } = method;
    protected ReadOnlyMemory<byte> Request { get; } = request;

    public ClientTransactionKey Key { get; } = key;

    /// <summary>The request's method, as the responses' counts name it.</summary>
    public string MethodName => Method;

    public abstract void Start();

    /// <summary>The final response: told to the observer, the first time only.</summary>
    protected void Finish(SipResponse response)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            Layer.Trace?.OnClientTransactionEnded(Method, Request, Channel, response, null);
            ReleaseRequest(); // the trace has copied what it keeps: the next transaction may have the buffer
            observer.OnFinalResponse(response);
        }
    }

    /// <summary>A timeout or transport error: told to the observer, unless the transaction already ended.</summary>
    protected void Finish(Exception error)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            Layer.Trace?.OnClientTransactionEnded(Method, Request, Channel, null, error);
            ReleaseRequest();
            observer.OnFailure(error);
        }
    }

    public abstract void OnResponse(SipResponse response);

    public abstract void OnTransportError(Exception error);

    /// <summary>Sends (or retransmits) the request, unless the transaction ended and its bytes may already be back in the pool.</summary>
    protected void SendRequest()
    {
        if (TryLeaseRequest())
        {
            Send(Request, leased: true);
        }
    }

    /// <summary>Sends bytes the transaction owns outright (an ACK).</summary>
    protected void Send(ReadOnlyMemory<byte> bytes) => Send(bytes, leased: false);

    private void Send(ReadOnlyMemory<byte> bytes, bool leased)
    {
        ValueTask sending;
        try
        {
            sending = Channel.SendAsync(bytes);
        }
        catch (Exception e)
        {
            if (leased)
            {
                ReleaseRequest();
            }
            OnTransportError(e);
            return;
        }
        if (!sending.IsCompletedSuccessfully)
        {
            _ = AwaitSend(sending, leased);
        }
        else if (leased)
        {
            ReleaseRequest();
        }
    }

    private async Task AwaitSend(ValueTask sending, bool leased)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            OnTransportError(e);
        }
        finally
        {
            if (leased)
            {
                ReleaseRequest();
            }
        }
    }

    /// <summary>A lease on the request's bytes for one send; false once they were given back.</summary>
    private bool TryLeaseRequest()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back one lease; the last one returns a rented buffer to the pool.</summary>
    private void ReleaseRequest()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && rented is not null)
        {
            Layer.RequestPool.Return(rented);
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
