using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.1.2 non-INVITE client transaction. Its observer hears the final response, or
/// <see cref="SipTransactionTimeoutException"/> (Timer F) or <see cref="SipTransportException"/>.
/// </summary>
internal sealed class NonInviteClientTransaction(SipTransactionLayer layer, ClientTransactionKey key, string method, ReadOnlyMemory<byte> request, SipChannel channel,
    SipTimerSettings timers, IClientTransactionObserver observer, byte[]? rented = null)
    : ClientTransaction(layer, key, method, request, channel, observer, rented)
{
    private enum State { Trying, Proceeding, Completed, Terminated }

    private readonly SipTimerSettings _timers = timers;
    private State _state;
    private TimeSpan _interval;
    private long _timerFDue; // the wheel tick at which Timer F fires
    // One wheel timer at a time: over UDP Timer E, whose last firing (clamped to Timer F's tick) is
    // Timer F's; over a reliable transport Timer F alone. A timer each for E and F was ~70 bytes
    // more of every transaction, and F was nearly always cancelled unread.
    private SipTimer? _timer;

    public override void Start()
    {
        lock (this)
        {
            var wheel = Layer.Wheel;
            _timerFDue = wheel.DueTickAfter(_timers.TransactionTimeout);
            if (Channel.IsReliable)
            {
                _timer = wheel.ScheduleAt(_timerFDue, static s => ((NonInviteClientTransaction)s!).OnTimerF(), this);
            }
            else
            {
                _interval = _timers.T1;
                _timer = wheel.ScheduleAt(Math.Min(wheel.DueTickAfter(_interval), _timerFDue), static s => ((NonInviteClientTransaction)s!).OnTimerE(), this);
            }
        }
        WatchChannel();
        SendRequest();
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
            _timer?.Cancel();
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
        bool timedOut;
        lock (this)
        {
            if (_state is State.Completed or State.Terminated)
            {
                return;
            }
            var wheel = Layer.Wheel;
            timedOut = wheel.Now >= _timerFDue;
            if (!timedOut)
            {
                // In Proceeding the interval is T2 at once; in Trying it doubles up to T2.
                _interval = _state == State.Proceeding ? _timers.T2 : TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, _timers.T2.Ticks));
                _timer = wheel.ScheduleAt(Math.Min(wheel.DueTickAfter(_interval), _timerFDue), static s => ((NonInviteClientTransaction)s!).OnTimerE(), this);
            }
        }
        if (timedOut)
        {
            OnTimerF(); // Timer F's tick has come: the transaction times out, with no retransmission
            return;
        }
        Layer.CountRetransmission();
        SendRequest();
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
            _timer?.Cancel();
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
