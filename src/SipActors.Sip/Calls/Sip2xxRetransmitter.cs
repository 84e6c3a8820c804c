using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Calls;

/// <summary>
/// RFC 3261 §13.3.1.4: the UAS core, not the INVITE server transaction, keeps a 2xx to an INVITE
/// (or re-INVITE) alive until its ACK. Over UDP the 2xx goes again at T1, 2*T1, … capped at T2; on
/// any flow the wait gives up after 64*T1 and the call is told so. One 2xx waits at a time: a
/// dialog has no new INVITE while one is unacknowledged (§14.2). Guarded by the owning call's lock.
/// </summary>
internal sealed class Sip2xxRetransmitter
{
    private static readonly Action<object?> RetransmitCallback = static s => ((Sip2xxRetransmitter)s!).OnRetransmit();
    private static readonly Action<object?> TimeoutCallback = static s => ((Sip2xxRetransmitter)s!).OnTimeout();

    private readonly object _gate;
    private readonly SipTransactionLayer _transactions;
    private readonly Action _onTimeout;
    private ReadOnlyMemory<byte> _response;
    private uint _cseq;
    private SipChannel? _channel;
    private TimeSpan _interval;
    private SipTimer? _retransmitTimer;
    private SipTimer? _timeoutTimer;

    /// <param name="gate">The call's lock: the timers take it, as every other step of the call does.</param>
    /// <param name="transactions">The stack's timers (T1, T2, 64*T1), wheel and retransmission count.</param>
    /// <param name="onTimeout">Under the lock: no ACK came in time (the call sends BYE and ends).</param>
    public Sip2xxRetransmitter(object gate, SipTransactionLayer transactions, Action onTimeout)
    {
        _gate = gate;
        _transactions = transactions;
        _onTimeout = onTimeout;
    }

    /// <summary>True while a 2xx waits for its ACK.</summary>
    public bool IsWaiting => !_response.IsEmpty;

    /// <summary>Whether the 2xx waiting (or the last one) answered the dialog's first INVITE rather than a re-INVITE.</summary>
    public bool IsInitial { get; private set; }

    /// <summary>Under the lock: <paramref name="ok"/>, answering the INVITE with CSeq <paramref name="cseq"/>, is being sent on <paramref name="channel"/>.</summary>
    public void Start(SipResponse ok, uint cseq, SipChannel channel, bool initial)
    {
        _response = ok.ToArray();
        _cseq = cseq;
        IsInitial = initial;
        _channel = channel;
        var timers = _transactions.Timers;
        if (!channel.IsReliable)
        {
            _interval = timers.T1;
            _retransmitTimer = Schedule(_interval, RetransmitCallback);
        }
        _timeoutTimer = Schedule(timers.TransactionTimeout, TimeoutCallback);
    }

    /// <summary>Under the lock: true when <paramref name="ack"/> acknowledges the 2xx that waits, which then stops; false for a retransmitted or stray ACK.</summary>
    public bool TryAcknowledge(SipRequest ack)
    {
        if (_response.IsEmpty || ack.CSeq?.Number != _cseq)
        {
            return false;
        }
        Stop();
        return true;
    }

    /// <summary>Under the lock: no more sends and no timeout (the ACK came, or the call ended).</summary>
    public void Stop()
    {
        _response = default;
        _retransmitTimer?.Cancel();
        _timeoutTimer?.Cancel();
    }

    private SipTimer Schedule(TimeSpan delay, Action<object?> callback) => _transactions.Wheel.Schedule(delay, callback, this);

    private void OnRetransmit()
    {
        lock (_gate)
        {
            if (_response.IsEmpty)
            {
                return;
            }
            _interval = TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, _transactions.Timers.T2.Ticks));
            _retransmitTimer = Schedule(_interval, RetransmitCallback);
            _transactions.CountRetransmission();
            QuietSend.Bytes(_channel!, _response);
        }
    }

    private void OnTimeout()
    {
        lock (_gate)
        {
            if (_response.IsEmpty)
            {
                return;
            }
            _response = default;
            _retransmitTimer?.Cancel();
            _onTimeout();
        }
    }
}
