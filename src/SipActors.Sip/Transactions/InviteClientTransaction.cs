using System.Globalization;
using SipActors.Sip.Headers;
using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.1.1 INVITE client transaction with RFC 6026's Accepted state. Retransmits on UDP
/// (Timer A, doubling) until a provisional arrives; Timer B ends a silent INVITE. A non-2xx final
/// is acknowledged here (ACK on the same branch, again for each retransmission, Timer D); a 2xx
/// is the dialog's to acknowledge, and its retransmissions (and forked 2xx) keep flowing to the
/// response callback until Timer M. The observer hears the first final response.
/// </summary>
internal sealed class InviteClientTransaction(SipTransactionLayer layer, ClientTransactionKey key, SipRequest invite, ReadOnlyMemory<byte> bytes,
    SipChannel channel, SipTimerSettings timers, Action<SipResponse>? onResponse, IClientTransactionObserver observer)
    : ClientTransaction(layer, key, "INVITE", bytes, channel, observer)
{
    private enum State { Calling, Proceeding, Completed, Accepted, Terminated }

    private State _state;
    private TimeSpan _intervalA;
    private SipTimer? _timerA;
    private SipTimer? _timerB;
    private ReadOnlyMemory<byte> _ack;

    public override void Start()
    {
        lock (this)
        {
            _intervalA = timers.T1;
            if (!Channel.IsReliable)
            {
                _timerA = Layer.Wheel.Schedule(_intervalA, static s => ((InviteClientTransaction)s!).OnTimerA(), this);
            }
            _timerB = Layer.Wheel.Schedule(timers.TransactionTimeout, static s => ((InviteClientTransaction)s!).OnTimerB(), this);
        }
        SendRequest();
    }

    public override void OnResponse(SipResponse response)
    {
        var status = response.StatusCode;
        ReadOnlyMemory<byte> resendAck = default;
        var complete = false;
        var deliver = true;
        lock (this)
        {
            switch (_state)
            {
                case State.Terminated:
                    return;
                case State.Completed:
                    resendAck = _ack; // the final was retransmitted: our ACK was lost
                    deliver = false;
                    break;
                case State.Accepted:
                    if (status is < 200 or >= 300)
                    {
                        return;
                    }
                    break;
                default:
                    _timerA?.Cancel();
                    if (status < 200)
                    {
                        if (_state == State.Calling)
                        {
                            // Timer B covers Calling only (§17.1.1.2): a ringing phone may ring for
                            // minutes; Timer C still bounds the wait.
                            _timerB?.Cancel();
                            _timerB = Layer.Wheel.Schedule(timers.TimerC, static s => ((InviteClientTransaction)s!).OnTimerB(), this);
                        }
                        _state = State.Proceeding;
                        break;
                    }
                    _timerB?.Cancel();
                    complete = true;
                    if (status < 300)
                    {
                        _state = State.Accepted;
                        Layer.Wheel.Schedule(timers.TransactionTimeout, static s => ((InviteClientTransaction)s!).Terminate(), this); // Timer M
                    }
                    else
                    {
                        _state = State.Completed;
                        _ack = BuildAck(response).ToArray();
                        resendAck = _ack;
                        // Timer D: as long as the server may retransmit its final (Timer H, 64*T1 = 32 s by default).
                        Layer.Wheel.Schedule(Channel.IsReliable ? TimeSpan.FromMilliseconds(1) : timers.TransactionTimeout,
                            static s => ((InviteClientTransaction)s!).Terminate(), this);
                    }
                    break;
            }
        }
        if (!resendAck.IsEmpty)
        {
            Send(resendAck);
        }
        if (deliver)
        {
            onResponse?.Invoke(response);
        }
        if (complete)
        {
            Finish(response);
        }
    }

    /// <summary>RFC 3261 §17.1.1.3: the ACK for a non-2xx final shares the INVITE's branch, Call-ID, From, Request-URI and Route.</summary>
    private SipRequest BuildAck(SipResponse response)
    {
        var ack = new SipRequest(SipMethod.Ack, invite.RequestUriText);
        var headers = invite.Headers;
        if (headers.TryGetValue(SipHeaderId.Via, out var via))
        {
            ack.Headers.Add(SipHeaderId.Via, via);
        }
        ack.Headers.Add(SipHeaderId.MaxForwards, "70");
        foreach (var id in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.From, SipHeaderId.CallId])
        {
            if (headers.TryGetValue(id, out var value))
            {
                ack.Headers.Add(id, value);
            }
        }
        if (response.Headers.TryGetValue(SipHeaderId.To, out var to))
        {
            ack.Headers.Add(SipHeaderId.To, to);
        }
        ack.Headers.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{invite.CSeq?.Number ?? 1} ACK"));
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers.GetId(i) == SipHeaderId.Route)
            {
                ack.Headers.Add(SipHeaderId.Route, headers.GetValueSpan(i));
            }
        }
        return ack;
    }

    public override void OnTransportError(Exception error)
    {
        lock (this)
        {
            if (_state is State.Completed or State.Accepted or State.Terminated)
            {
                return;
            }
            _state = State.Terminated;
            _timerA?.Cancel();
            _timerB?.Cancel();
        }
        Layer.Remove(this);
        Finish(AsTransportError(error));
    }

    private void OnTimerA()
    {
        lock (this)
        {
            if (_state != State.Calling)
            {
                return;
            }
            _intervalA *= 2; // Timer A doubles without the T2 cap (§17.1.1.2)
            _timerA = Layer.Wheel.Schedule(_intervalA, static s => ((InviteClientTransaction)s!).OnTimerA(), this);
        }
        Layer.CountRetransmission();
        SendRequest();
    }

    private void OnTimerB()
    {
        TimeSpan waited;
        lock (this)
        {
            if (_state is not (State.Calling or State.Proceeding))
            {
                return;
            }
            waited = _state == State.Proceeding ? timers.TimerC : timers.TransactionTimeout;
            _state = State.Terminated;
            _timerA?.Cancel();
        }
        Layer.Remove(this);
        Finish(new SipTransactionTimeoutException("INVITE", waited));
        Layer.OnClientTransactionTimedOut(Channel);
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
