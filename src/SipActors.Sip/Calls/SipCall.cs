using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Messaging;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;

namespace SipActors.Sip.Calls;

/// <summary>
/// One basic call (RFC 3261 §13-15, no PRACK, no media) in either direction, with RFC 4028 session
/// timers when its options ask, driven by responses, requests and timers on the stack's wheel; nothing waits. Steps are reported through the
/// callback given at creation, under the call's lock so they arrive in order, on a receive loop or
/// timer thread: post them on and return. <see cref="SipCallEventKind.Ended"/> comes exactly once
/// and last; by then the dialog has left the stack's table.
/// </summary>
/// <remarks>
/// This file is the facade: state, commands, the incoming INVITE and the end. The outgoing INVITE
/// (provisional and final responses, CANCEL, the no-answer timer) is in <c>SipCall.Outgoing.cs</c>,
/// requests inside the dialog in <c>SipCall.InDialog.cs</c>; parts of one type because they share
/// one lock and one state. The 2xx kept alive until its ACK is <see cref="Sip2xxRetransmitter"/>,
/// the session-timer deadlines are <see cref="SipSessionTimer"/>'s, the digest rule is <see cref="DigestRetry"/>'s.
/// </remarks>
public sealed partial class SipCall : ISipSessionTimerHost
{
    private static readonly Action<object?> NoAnswerCallback = static s => ((SipCall)s!).OnNoAnswer();
    private static readonly Action<object?> CancelTimeoutCallback = static s => ((SipCall)s!).OnCancelTimeout();

    private readonly object _gate = new();
    private readonly SipCallContext _context;
    private readonly SipCallOptions _options;
    private readonly Action<SipCallEvent> _onEvent;
    private readonly TaskCompletionSource<SipCallEvent> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _localTag;
    private SipCallState _state;
    private SipDialog? _dialog;
    private ReadOnlyMemory<byte> _localSdp;
    private ReadOnlyMemory<byte> _remoteSdp;
    private SipTimer? _noAnswerTimer;
    private bool _noAnswer;

    // Outgoing: the INVITE in flight (the second one after a digest challenge) and CANCEL (§9.1).
    private readonly string? _target;
    private SipRequest? _invite;
    private bool _provisional;
    private bool _cancelRequested;
    private bool _cancelSent;
    private DigestRetry _inviteDigest; // the INVITE's challenge: every later INVITE of the call answers it
    private DigestAuthenticator? _authenticator; // made on the first challenge: most calls meet none
    private ReadOnlyMemory<byte> _ack;
    private SipTimer? _cancelTimer;

    // Incoming: the INVITE's server transaction.
    private readonly SipServerTransaction? _incoming;

    // A 2xx we sent (to the INVITE or a re-INVITE) that waits for its ACK (§13.3.1.4).
    private readonly Sip2xxRetransmitter _ackWait;
    private bool _byeAfterAck;

    // Our re-INVITE in flight, and the ACK of the last one answered (sent again on a retransmitted 2xx).
    private SipRequest? _reinvite;
    private ReadOnlyMemory<byte> _reinviteOffer;
    private SipRequest? _reinviteAcked;
    private ReadOnlyMemory<byte> _reinviteAck;
    private DigestRetry _reinviteDigest;
    private DigestRetry _byeDigest;

    // RFC 4028 session timer, null when the options leave it off: negotiation, and the refresh we owe or the deadline we watch.
    private readonly SipSessionTimer? _sessionTimer;

    private SipCall(SipCallContext context, SipCallDirection direction, string callId, string localTag, SipCallOptions? options, Action<SipCallEvent> onEvent)
    {
        _context = context;
        _options = options ?? SipCallOptions.Default;
        _onEvent = onEvent ?? throw new ArgumentNullException(nameof(onEvent));
        Direction = direction;
        CallId = callId;
        _localTag = localTag;
        _sessionTimer = _options.SessionTimers ? new SipSessionTimer(_options, this) : null;
        _ackWait = new Sip2xxRetransmitter(_gate, context.Transactions, OnAckTimeout);
    }

    private SipCall(SipCallContext context, string target, ReadOnlyMemory<byte> sdp, SipCallOptions? options, Action<SipCallEvent> onEvent)
        : this(context, SipCallDirection.Outgoing, SipIdentifiers.NewCallId(), SipIdentifiers.NewTag(), options, onEvent)
    {
        _target = target;
        _localSdp = sdp;
    }

    private SipCall(SipCallContext context, SipServerTransaction invite, SipCallOptions? options, Action<SipCallEvent> onEvent)
        : this(context, SipCallDirection.Incoming, invite.Request.CallId ?? "", SipIdentifiers.NewTag(), options, onEvent)
    {
        _incoming = invite;
        _remoteSdp = invite.Request.Body;
    }

    public SipCallDirection Direction { get; }

    public string CallId { get; }

    public SipCallState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The INVITE that started the call: the one we sent (the last, after a challenge) or received.</summary>
    public SipRequest Request
    {
        get
        {
            lock (_gate)
            {
                return _incoming?.Request ?? _invite!;
            }
        }
    }

    /// <summary>The dialog once the call was answered; null before.</summary>
    public SipDialog? Dialog
    {
        get
        {
            lock (_gate)
            {
                return _dialog;
            }
        }
    }

    /// <summary>Our current SDP (offer or answer).</summary>
    public ReadOnlyMemory<byte> LocalSdp
    {
        get
        {
            lock (_gate)
            {
                return _localSdp;
            }
        }
    }

    /// <summary>The peer's current SDP.</summary>
    public ReadOnlyMemory<byte> RemoteSdp
    {
        get
        {
            lock (_gate)
            {
                return _remoteSdp;
            }
        }
    }

    /// <summary>The RFC 4028 session interval the call runs; null while none runs (timers off, or the peer answered without one).</summary>
    public TimeSpan? SessionInterval
    {
        get
        {
            lock (_gate)
            {
                return _state != SipCallState.Ended && _sessionTimer is { Interval: > 0 } timer ? TimeSpan.FromSeconds(timer.Interval) : null;
            }
        }
    }

    /// <summary>True while a session interval runs and we are the side that refreshes it.</summary>
    public bool IsSessionRefresher
    {
        get
        {
            lock (_gate)
            {
                return _state != SipCallState.Ended && _sessionTimer is { Interval: > 0, LocalRefresher: true };
            }
        }
    }

    /// <summary>Completes with the Ended event.</summary>
    public Task<SipCallEvent> Ended => _ended.Task;

    // ---- creation ------------------------------------------------------------------------

    internal static SipCall Place(SipCallContext context, string target, ReadOnlyMemory<byte> sdp, SipCallOptions? options, Action<SipCallEvent> onEvent)
    {
        if (!OutOfDialogClient.IsValidTarget(target, out var error))
        {
            throw new ArgumentException(error, nameof(target));
        }
        var call = new SipCall(context, target, sdp, options, onEvent);
        lock (call._gate)
        {
            call._noAnswerTimer = call.Schedule(call._options.NoAnswerTimeout, NoAnswerCallback);
            call.StartInvite(call.BuildInvite(1));
        }
        return call;
    }

    internal static SipCall Receive(SipCallContext context, SipServerTransaction invite, SipCallOptions? options, Action<SipCallEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(invite);
        if (!invite.IsInvite)
        {
            throw new ArgumentException("Only an INVITE starts an incoming call.", nameof(invite));
        }
        var call = new SipCall(context, invite, options, onEvent);
        lock (call._gate)
        {
            call._noAnswerTimer = call.Schedule(call._options.NoAnswerTimeout, NoAnswerCallback);
            invite.Cancelled += call.OnRemoteCancel;
            if (invite.IsCompleted)
            {
                // The CANCEL (or another final) came before we listened.
                call.End(SipCallEndCause.Cancelled, 487, null, byRemote: true, message: null);
            }
            else if (call.RefuseForSessionTimer(invite, call._localTag) is { } refusal)
            {
                call.RejectIncoming(refusal, SipCallEndCause.Rejected);
            }
        }
        return call;
    }

    // ---- commands --------------------------------------------------------------------------

    /// <summary>Incoming, before the answer: sends 180 Ringing (with our tag and Contact). False when it is too late.</summary>
    public bool Ring()
    {
        lock (_gate)
        {
            if (_incoming is null || _state != SipCallState.Calling || _incoming.IsCompleted)
            {
                return false;
            }
            var ringing = _incoming.CreateResponse(180, toTag: _localTag);
            ringing.Headers.Add(SipHeaderId.Contact, _context.Contact);
            Respond(_incoming, ringing);
            _state = SipCallState.Early;
            Emit(new SipCallEvent { Kind = SipCallEventKind.Ringing, StatusCode = 180, ReasonPhrase = ringing.ReasonPhrase, RemoteSdp = _remoteSdp });
            return true;
        }
    }

    /// <summary>
    /// Incoming, before the answer: sends 200 with <paramref name="sdp"/> and our Contact, and
    /// retransmits it until the ACK comes (64*T1 at most; then BYE, ended NoAck). False when too late.
    /// </summary>
    public bool Answer(ReadOnlyMemory<byte> sdp)
    {
        lock (_gate)
        {
            if (_incoming is null || _state is SipCallState.Confirmed or SipCallState.Ended || _incoming.IsCompleted)
            {
                return false;
            }
            var request = _incoming.Request;
            var dialog = SipDialog.FromRequest(request, _localTag);
            if (dialog is null || !_context.Dialogs.TryAdd(dialog, this))
            {
                return false;
            }
            _dialog = dialog;
            _localSdp = sdp;
            var ok = _incoming.CreateResponse(200, toTag: _localTag);
            // §12.1.1: the 2xx carries the INVITE's Record-Route, so the caller learns the same route set.
            foreach (var route in request.Headers.EnumerateValues(SipHeaderId.RecordRoute))
            {
                ok.Headers.Add(SipHeaderId.RecordRoute, route);
            }
            AddSessionHeaders(ok, sdp);
            if (_sessionTimer is { } timer)
            {
                timer.Apply(timer.Evaluate(request), request, ok);
            }
            _state = SipCallState.Confirmed;
            _noAnswerTimer?.Cancel();
            _ackWait.Start(ok, request.CSeq?.Number ?? 0, _incoming.Channel, initial: true);
            Respond(_incoming, ok);
            _sessionTimer?.Restart();
            Emit(new SipCallEvent { Kind = SipCallEventKind.Answered, StatusCode = 200, ReasonPhrase = ok.ReasonPhrase, RemoteSdp = _remoteSdp });
            return true;
        }
    }

    /// <summary>Incoming, before the answer: a final failure (3xx-6xx, 486 Busy Here by default); the call ends Rejected.</summary>
    public bool Reject(int statusCode = 486, string? reasonPhrase = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        lock (_gate)
        {
            return RejectIncoming(statusCode, reasonPhrase, SipCallEndCause.Rejected);
        }
    }

    /// <summary>
    /// Ends the call however far it got: CANCEL an unanswered outgoing call (sent once a
    /// provisional arrived, §9.1), 480 to an unanswered incoming one, BYE to an answered one
    /// (held until the ACK of our 2xx, §15). False when it already ended.
    /// </summary>
    public bool HangUp()
    {
        lock (_gate)
        {
            if (_state == SipCallState.Ended)
            {
                return false;
            }
            if (_dialog is null)
            {
                if (_incoming is not null)
                {
                    return RejectIncoming(480, null, SipCallEndCause.Rejected);
                }
                RequestCancel();
                return true;
            }
            if (_ackWait is { IsWaiting: true, IsInitial: true })
            {
                _byeAfterAck = true;
                return true;
            }
            SendBye();
            End(SipCallEndCause.LocalHangUp, null, null, byRemote: false, message: null);
            return true;
        }
    }

    /// <summary>
    /// Answered: sends a re-INVITE (with <paramref name="sdp"/>, or our current SDP when empty)
    /// and ACKs its 2xx; the Updated event follows. With session timers it also refreshes the session.
    /// False when not confirmed or a re-INVITE (ours or a session refresh) is pending.
    /// </summary>
    public bool Reinvite(ReadOnlyMemory<byte> sdp = default)
    {
        lock (_gate)
        {
            if (_state != SipCallState.Confirmed || _dialog is null || _reinvite is not null || _ackWait.IsWaiting)
            {
                return false;
            }
            _sessionTimer?.AllowRetryAfter422();
            return StartReinvite(sdp.IsEmpty ? _localSdp : sdp, answersChallenge: false);
        }
    }

    /// <summary>The account's flow is gone: the call ends ConnectionLost without sending anything more.</summary>
    internal void OnConnectionLost()
    {
        lock (_gate)
        {
            if (_incoming is not null && _dialog is null && !_incoming.IsCompleted)
            {
                Respond(_incoming, _incoming.CreateResponse(480, toTag: _localTag)); // lets the transaction leave its table
            }
            End(SipCallEndCause.ConnectionLost, null, null, byRemote: false, message: null);
        }
    }

    private void OnNoAnswer()
    {
        lock (_gate)
        {
            if (_state == SipCallState.Ended || _dialog is not null)
            {
                return;
            }
            _noAnswer = true;
            if (_incoming is not null)
            {
                RejectIncoming(480, null, SipCallEndCause.NoAnswer);
            }
            else
            {
                RequestCancel();
            }
        }
    }

    // ---- incoming INVITE -------------------------------------------------------------------

    // Under the lock.
    private bool RejectIncoming(int statusCode, string? reasonPhrase, SipCallEndCause cause)
    {
        if (_incoming is null || _dialog is not null || _state == SipCallState.Ended || _incoming.IsCompleted)
        {
            return false;
        }
        return RejectIncoming(_incoming.CreateResponse(statusCode, reasonPhrase, _localTag), cause);
    }

    // Under the lock.
    private bool RejectIncoming(SipResponse response, SipCallEndCause cause)
    {
        if (_incoming is null || _dialog is not null || _state == SipCallState.Ended || _incoming.IsCompleted)
        {
            return false;
        }
        Respond(_incoming, response);
        End(cause, response.StatusCode, response.ReasonPhrase, byRemote: false, response);
        return true;
    }

    private void OnRemoteCancel(SipServerTransaction invite)
    {
        lock (_gate)
        {
            if (_dialog is null)
            {
                End(SipCallEndCause.Cancelled, 487, null, byRemote: true, message: null);
            }
        }
    }

    // Under the lock: 64*T1 passed without the ACK of our 2xx (§13.3.1.4).
    private void OnAckTimeout()
    {
        SendBye();
        End(_byeAfterAck ? SipCallEndCause.LocalHangUp : SipCallEndCause.NoAck, null, "no ACK for our 2xx", byRemote: false, message: null);
    }

    // Under the lock.
    private void End(SipCallEndCause cause, int? statusCode, string? reasonPhrase, bool byRemote, SipMessage? message)
    {
        if (_state == SipCallState.Ended)
        {
            return;
        }
        _state = SipCallState.Ended;
        _noAnswerTimer?.Cancel();
        _cancelTimer?.Cancel();
        _ackWait.Stop();
        _sessionTimer?.Stop();
        _reinvite = null;
        if (_dialog is not null)
        {
            _context.Dialogs.Remove(_dialog, this);
        }
        if (_incoming is not null)
        {
            _incoming.Cancelled -= OnRemoteCancel;
        }
        var ended = new SipCallEvent
        {
            Kind = SipCallEventKind.Ended, Cause = cause, StatusCode = statusCode, ReasonPhrase = reasonPhrase, ByRemote = byRemote,
            RemoteSdp = _remoteSdp, Message = message,
        };
        Emit(ended);
        _ended.TrySetResult(ended);
        _context.CallEnded?.Invoke(this);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void Emit(SipCallEvent e)
    {
        try
        {
            _onEvent(e);
        }
        catch (Exception)
        {
            // A subscriber's bug must not stop a receive loop or a timer thread; the call goes on.
        }
    }

    private void AddSessionHeaders(SipMessage message, ReadOnlyMemory<byte> sdp)
    {
        message.Headers.Add(SipHeaderId.Contact, _context.Contact);
        message.Headers.Add(SipHeaderId.Allow, SipMethods.Allow);
        if (!sdp.IsEmpty)
        {
            message.Headers.Add(SipHeaderId.ContentType, _options.ContentType);
            message.Body = sdp;
        }
    }

    private void AddUserAgent(SipRequest request)
    {
        if (_context.UserAgent is { } userAgent)
        {
            request.Headers.Add(SipHeaderId.UserAgent, userAgent);
        }
    }

    /// <summary>RFC 4028 §7.1: with timers on, every request but ACK (and CANCEL, a copy of its INVITE) says so; the INVITEs get it with Session-Expires.</summary>
    private void AddTimerSupport(SipRequest request)
    {
        if (_sessionTimer is not null)
        {
            request.Headers.Add(SipHeaderId.Supported, SipOptionTags.Timer);
        }
    }

    private DigestAuthenticator Authenticator => LazyInitializer.EnsureInitialized(ref _authenticator);

    private SipTimer Schedule(TimeSpan delay, Action<object?> callback) => _context.Transactions.Wheel.Schedule(delay, callback, this);

    private void Send(ReadOnlyMemory<byte> bytes) => QuietSend.Bytes(_context.Channel, bytes);

    private void SendInTransaction(SipRequest request) => QuietSend.Request(_context.Transactions, request, _context.Channel);

    private static void Respond(SipServerTransaction transaction, SipResponse response) => QuietSend.Response(transaction, response);

    // ---- what the session timer asks of the call (under the lock) ------------------------------

    object ISipSessionTimerHost.Gate => _gate;

    SipTimerWheel ISipSessionTimerHost.Wheel => _context.Transactions.Wheel;

    TimeSpan ISipSessionTimerHost.RefreshRetryDelay => _context.Transactions.Timers.T2;

    bool ISipSessionTimerHost.OwnsCallId => Direction == SipCallDirection.Outgoing;

    bool ISipSessionTimerHost.IsConfirmed => _state == SipCallState.Confirmed;

    bool ISipSessionTimerHost.RefreshInFlight => _reinvite is not null;

    // The peer's INVITE still waits for our 2xx's ACK: no new INVITE meanwhile (§14.1).
    bool ISipSessionTimerHost.SendRefresh() => !_ackWait.IsWaiting && StartReinvite(_localSdp, answersChallenge: false);

    void ISipSessionTimerHost.OnSessionExpired()
    {
        SendBye();
        End(SipCallEndCause.SessionTimerExpired, null, "no session refresh within the session interval", byRemote: false, message: null);
    }

    public override string ToString() => $"{Direction} call {CallId} ({State})";
}
