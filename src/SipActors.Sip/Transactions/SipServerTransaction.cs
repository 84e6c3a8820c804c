using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2), handed to whoever handles the request.
/// Non-INVITE (§17.2.2): retransmitted requests get the last response again; it leaves the table
/// after Timer J (64*T1 on UDP, at once on reliable transports).
/// INVITE (§17.2.1, RFC 6026): 100 Trying goes out when nothing else did within 200 ms, or at
/// once to a retransmission; a final non-2xx is retransmitted on UDP
/// (Timer G) until the ACK, which the transaction absorbs, or Timer H; after the ACK Timer I
/// absorbs its retransmissions. After a 2xx the transaction stays Accepted for Timer L so that
/// retransmitted INVITEs are not taken for new ones; 2xx retransmission is the dialog's job.
/// </summary>
public sealed class SipServerTransaction
{
    private enum State { Proceeding, Completed, Confirmed, Accepted, Terminated }

    /// <summary>How long an INVITE may wait for the TU's first response before 100 Trying goes out (RFC 3261 §17.2.1).</summary>
    internal static readonly TimeSpan TryingDelay = TimeSpan.FromMilliseconds(200);

    private readonly SipTransactionLayer _layer;
    private ReadOnlyMemory<byte> _lastResponse;
    private State _state;
    private SipTimer? _timerG;
    private SipTimer? _timerH;
    private TimeSpan _intervalG;

    internal SipServerTransaction(SipTransactionLayer layer, string key, SipRequest request, SipChannel channel)
    {
        _layer = layer;
        Key = key;
        Request = request;
        Channel = channel;
    }

    internal string Key { get; }

    public SipRequest Request { get; }

    /// <summary>Where the request came from; responses go back on it.</summary>
    public SipChannel Channel { get; }

    public bool IsInvite => Request.Method == SipMethod.Invite;

    /// <summary>True once a final response was sent.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (this)
            {
                return _state != State.Proceeding;
            }
        }
    }

    /// <summary>Raised when a CANCEL for this INVITE arrived while it was still unanswered; the transaction has already answered 487.</summary>
    public event Action<SipServerTransaction>? Cancelled;

    /// <summary>A response to this request with its Via, From, To (plus <paramref name="toTag"/> when To has none), Call-ID and CSeq.</summary>
    public SipResponse CreateResponse(int statusCode, string? reasonPhrase = null, string? toTag = null)
        => SipResponses.Create(Request, statusCode, reasonPhrase, toTag);

    /// <summary>
    /// Sends a response and reports instead of throwing: false (with <see cref="LastSendError"/>)
    /// when the flow could not carry it. For answers nobody waits on, so that no send is fired
    /// and forgotten with its failure unobserved.
    /// </summary>
    public async Task<bool> TryRespondAsync(SipResponse response)
    {
        try
        {
            await RespondAsync(response).ConfigureAwait(false);
            return true;
        }
        catch (SipTransportException e)
        {
            LastSendError = e;
            return false;
        }
    }

    /// <summary>A final response with <paramref name="statusCode"/> and a new To tag, sent as <see cref="TryRespondAsync(SipResponse)"/>.</summary>
    public Task<bool> TryRespondAsync(int statusCode) => TryRespondAsync(CreateResponse(statusCode, toTag: SipIdentifiers.NewTag()));

    /// <summary>Why the last <see cref="TryRespondAsync(SipResponse)"/> failed, if one did.</summary>
    public SipTransportException? LastSendError { get; private set; }

    /// <summary>Sends a response; after a final one the transaction completes and later calls are ignored.</summary>
    public ValueTask RespondAsync(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var bytes = response.ToArray();
        lock (this)
        {
            if (_state != State.Proceeding)
            {
                return ValueTask.CompletedTask;
            }
            _lastResponse = bytes;
            if (response.StatusCode >= 200)
            {
                OnFinalResponse(response.StatusCode);
            }
        }
        return Channel.SendAsync(bytes);
    }

    // Called under the lock.
    private void OnFinalResponse(int statusCode)
    {
        var timers = _layer.Timers;
        if (!IsInvite)
        {
            _state = State.Completed;
            ScheduleTermination(Channel.IsReliable ? TimeSpan.Zero : timers.TransactionTimeout); // Timer J
            return;
        }
        if (statusCode < 300)
        {
            _state = State.Accepted;
            ScheduleTermination(timers.TransactionTimeout); // Timer L
            return;
        }
        _state = State.Completed;
        if (!Channel.IsReliable)
        {
            _intervalG = timers.T1;
            _timerG = _layer.Wheel.Schedule(_intervalG, static s => ((SipServerTransaction)s!).OnTimerG(), this);
        }
        _timerH = _layer.Wheel.Schedule(timers.TransactionTimeout, static s => ((SipServerTransaction)s!).Terminate(), this);
    }

    private void ScheduleTermination(TimeSpan after)
    {
        if (after <= TimeSpan.Zero)
        {
            _state = State.Terminated;
            _layer.Remove(this);
            return;
        }
        _layer.Wheel.Schedule(after, static s => ((SipServerTransaction)s!).Terminate(), this);
    }

    private void OnTimerG()
    {
        ReadOnlyMemory<byte> last;
        lock (this)
        {
            if (_state != State.Completed)
            {
                return;
            }
            last = _lastResponse;
            _intervalG = TimeSpan.FromTicks(Math.Min(_intervalG.Ticks * 2, _layer.Timers.T2.Ticks));
            _timerG = _layer.Wheel.Schedule(_intervalG, static s => ((SipServerTransaction)s!).OnTimerG(), this);
        }
        _layer.CountRetransmission();
        _ = ResendAsync(last);
    }

    /// <summary>The ACK to our non-2xx final response: stop retransmitting, absorb its copies for Timer I.</summary>
    internal void OnAck()
    {
        lock (this)
        {
            if (_state != State.Completed)
            {
                return;
            }
            _state = State.Confirmed;
            _timerG?.Cancel();
            _timerH?.Cancel();
            ScheduleTermination(Channel.IsReliable ? TimeSpan.Zero : _layer.Timers.T4); // Timer I
        }
    }

    /// <summary>A CANCEL matched this INVITE (RFC 3261 §9.2): an unanswered INVITE gets 487.</summary>
    internal bool OnCancel()
    {
        lock (this)
        {
            if (!IsInvite || _state != State.Proceeding)
            {
                return false;
            }
        }
        _ = SendQuietlyAsync(CreateResponse(487, toTag: SipIdentifiers.NewTag()));
        Cancelled?.Invoke(this);
        return true;
    }

    private async Task SendQuietlyAsync(SipResponse response)
    {
        try
        {
            await RespondAsync(response).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }

    /// <summary>A handler that never answers must not keep the transaction forever: it leaves after 64*T1.</summary>
    internal void ArmAbandonTimer()
    {
        if (IsInvite)
        {
            // RFC 3261 §17.2.1: 100 Trying unless the TU answers within 200 ms. A callee that answers
            // at once (auto-answer) then sends one datagram less per call, and its proxy reads one
            // less; Timer A (T1, 500 ms) retransmits later than that, and a retransmission gets the
            // 100 at once (OnRetransmission).
            _layer.Wheel.Schedule(TryingDelay, static s => _ = ((SipServerTransaction)s!).SendTryingAsync(), this);
        }
        _layer.Wheel.Schedule(_layer.Timers.TransactionTimeout * (IsInvite ? 6 : 1), static s =>
        {
            var t = (SipServerTransaction)s!;
            if (!t.IsCompleted)
            {
                t.Terminate();
            }
        }, this);
    }

    private async Task SendTryingAsync()
    {
        lock (this)
        {
            if (_state != State.Proceeding || !_lastResponse.IsEmpty)
            {
                return; // answered in time: the usual case, with nothing built
            }
        }
        var trying = CreateResponse(100).ToArray();
        lock (this)
        {
            if (_state != State.Proceeding || !_lastResponse.IsEmpty)
            {
                return;
            }
            _lastResponse = trying;
        }
        try
        {
            await Channel.SendAsync(trying).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }

    /// <summary>The request came again: the response it missed is sent again (nothing yet: it waits).</summary>
    internal void OnRetransmission()
    {
        ReadOnlyMemory<byte> last;
        lock (this)
        {
            // An INVITE retransmitted after our 2xx is the dialog's business, not a new request (RFC 6026).
            if (_state is State.Accepted or State.Terminated or State.Confirmed)
            {
                return;
            }
            last = _lastResponse;
        }
        if (!last.IsEmpty)
        {
            _ = ResendAsync(last);
        }
        else if (IsInvite)
        {
            _ = SendTryingAsync(); // the client heard nothing before its Timer A: it hears 100 now
        }
    }

    private async Task ResendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await Channel.SendAsync(bytes).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
            // The peer will retransmit again or give up; nothing to report to anyone.
        }
    }

    private void Terminate()
    {
        lock (this)
        {
            _state = State.Terminated;
            _timerG?.Cancel();
        }
        _layer.Remove(this);
    }
}
