using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.1.2 non-INVITE client transaction. The task completes with the final response,
/// or faults with <see cref="SipTransactionTimeoutException"/> (Timer F) or
/// <see cref="SipTransportException"/>. Continuations run asynchronously, never on a receive loop.
/// </summary>
internal sealed class NonInviteClientTransaction : TaskCompletionSource<SipResponse>
{
    private enum State { Trying, Proceeding, Completed, Terminated }

    private readonly SipTransactionLayer _layer;
    private readonly ReadOnlyMemory<byte> _request;
    private readonly SipChannel _channel;
    private readonly SipTimerSettings _timers;
    private readonly string _method;
    private State _state;
    private TimeSpan _interval;
    private SipTimer? _timerE;
    private SipTimer? _timerF;

    public NonInviteClientTransaction(SipTransactionLayer layer, string key, string method, ReadOnlyMemory<byte> request, SipChannel channel, SipTimerSettings timers)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _layer = layer;
        Key = key;
        _method = method;
        _request = request;
        _channel = channel;
        _timers = timers;
    }

    public string Key { get; }

    public void Start()
    {
        lock (this)
        {
            _interval = _timers.T1;
            if (!_channel.IsReliable)
            {
                _timerE = _layer.Wheel.Schedule(_interval, static s => ((NonInviteClientTransaction)s!).OnTimerE(), this);
            }
            _timerF = _layer.Wheel.Schedule(_timers.TransactionTimeout, static s => ((NonInviteClientTransaction)s!).OnTimerF(), this);
        }
        Send();
    }

    public void OnResponse(SipResponse response)
    {
        lock (this)
        {
            if (_state is State.Completed or State.Terminated)
            {
                return; // a retransmitted final response: absorbed
            }
            if (response.StatusCode < 200)
            {
                _state = State.Proceeding;
                return;
            }
            _state = State.Completed;
            _timerE?.Cancel();
            _timerF?.Cancel();
        }
        TrySetResult(response);
        if (_channel.IsReliable)
        {
            Terminate();
        }
        else
        {
            // Timer K: stay to absorb retransmitted responses, then leave the table.
            _layer.Wheel.Schedule(_timers.T4, static s => ((NonInviteClientTransaction)s!).Terminate(), this);
        }
    }

    public void OnTransportError(Exception error)
    {
        if (Fail())
        {
            TrySetException(error as SipTransportException ?? new SipTransportException($"{_method} could not be sent: {error.Message}", error));
        }
    }

    private void OnTimerE()
    {
        lock (this)
        {
            if (_state is State.Completed or State.Terminated)
            {
                return;
            }
            // In Proceeding the interval is T2 at once; in Trying it doubles up to T2.
            _interval = _state == State.Proceeding ? _timers.T2 : TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, _timers.T2.Ticks));
            _timerE = _layer.Wheel.Schedule(_interval, static s => ((NonInviteClientTransaction)s!).OnTimerE(), this);
        }
        _layer.CountRetransmission();
        Send();
    }

    private void OnTimerF()
    {
        if (Fail())
        {
            TrySetException(new SipTransactionTimeoutException(_method, _timers.TransactionTimeout));
        }
    }

    private bool Fail()
    {
        lock (this)
        {
            if (_state is State.Completed or State.Terminated)
            {
                return false;
            }
            _state = State.Terminated;
            _timerE?.Cancel();
            _timerF?.Cancel();
        }
        _layer.Remove(this);
        return true;
    }

    private void Terminate()
    {
        lock (this)
        {
            _state = State.Terminated;
        }
        _layer.Remove(this);
    }

    private void Send()
    {
        ValueTask sending;
        try
        {
            sending = _channel.SendAsync(_request);
        }
        catch (Exception e)
        {
            OnTransportError(e);
            return;
        }
        if (sending.IsCompletedSuccessfully)
        {
            return;
        }
        _ = AwaitSend(sending);
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
}
