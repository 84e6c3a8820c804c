using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.1.2 non-INVITE client transaction. Its observer hears the final response, or
/// <see cref="SipTransactionTimeoutException"/> (Timer F) or <see cref="SipTransportException"/>.
/// </summary>
internal sealed class NonInviteClientTransaction(SipTransactionLayer layer, string key, string method, ReadOnlyMemory<byte> request, SipChannel channel,
    SipTimerSettings timers, IClientTransactionObserver observer)
    : ClientTransaction(layer, key, method, request, channel, observer)
{
    private enum State { Trying, Proceeding, Completed, Terminated }

    private readonly SipTimerSettings _timers = timers;
    private State _state;
    private TimeSpan _interval;
    private SipTimer? _timerE;
    private SipTimer? _timerF;

    public override void Start()
    {
        lock (this)
        {
            _interval = _timers.T1;
            if (!Channel.IsReliable)
            {
                _timerE = Layer.Wheel.Schedule(_interval, static s => ((NonInviteClientTransaction)s!).OnTimerE(), this);
            }
            _timerF = Layer.Wheel.Schedule(_timers.TransactionTimeout, static s => ((NonInviteClientTransaction)s!).OnTimerF(), this);
        }
        WatchChannel();
        Send(Request);
    }

    public override void OnResponse(SipResponse response)
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
        UnwatchChannel();
        // The table's part first: the observer may start the next transaction on this thread.
        if (Channel.IsReliable)
        {
            Terminate();
        }
        else
        {
            // Timer K: stay to absorb retransmitted responses, then leave the table.
            Layer.Wheel.Schedule(_timers.T4, static s => ((NonInviteClientTransaction)s!).Terminate(), this);
        }
        Finish(response);
    }

    public override void OnTransportError(Exception error)
    {
        if (Fail())
        {
            Finish(AsTransportError(error));
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
            _timerE = Layer.Wheel.Schedule(_interval, static s => ((NonInviteClientTransaction)s!).OnTimerE(), this);
        }
        Layer.CountRetransmission();
        Send(Request);
    }

    private void OnTimerF()
    {
        if (Fail())
        {
            Layer.OnClientTransactionTimedOut(Channel);
            Finish(new SipTransactionTimeoutException(Method, _timers.TransactionTimeout));
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
        UnwatchChannel();
        Layer.Remove(this);
        return true;
    }

    private void Terminate()
    {
        lock (this)
        {
            _state = State.Terminated;
        }
        Layer.Remove(this);
    }
}
