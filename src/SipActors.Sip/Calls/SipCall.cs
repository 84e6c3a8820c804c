using System.Globalization;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Messaging;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Calls;

/// <summary>
/// One basic call (RFC 3261 §13-15, no PRACK, no media) in either direction, with RFC 4028 session
/// timers when its options ask, driven by responses, requests and timers on the stack's wheel; nothing waits. Steps are reported through the
/// callback given at creation, under the call's lock so they arrive in order, on a receive loop or
/// timer thread: post them on and return. <see cref="SipCallEventKind.Ended"/> comes exactly once
/// and last; by then the dialog has left the stack's table.
/// </summary>
public sealed class SipCall
{
    private static readonly Action<object?> NoAnswerCallback = static s => ((SipCall)s!).OnNoAnswer();
    private static readonly Action<object?> CancelTimeoutCallback = static s => ((SipCall)s!).OnCancelTimeout();
    private static readonly Action<object?> RetransmitCallback = static s => ((SipCall)s!).OnRetransmit2xx();
    private static readonly Action<object?> AckTimeoutCallback = static s => ((SipCall)s!).OnAckTimeout();
    private static readonly Action<object?> SessionRefreshCallback = static s => ((SipCall)s!).OnSessionRefreshDue();
    private static readonly Action<object?> SessionExpiryCallback = static s => ((SipCall)s!).OnSessionExpired();

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
    private ReadOnlyMemory<byte> _unacked2xx;
    private uint _unackedCSeq;
    private bool _unackedIsInitial;
    private SipChannel? _unackedChannel;
    private TimeSpan _retransmitInterval;
    private SipTimer? _retransmitTimer;
    private SipTimer? _ackTimer;
    private bool _byeAfterAck;

    // Our re-INVITE in flight, and the ACK of the last one answered (sent again on a retransmitted 2xx).
    private SipRequest? _reinvite;
    private ReadOnlyMemory<byte> _reinviteOffer;
    private SipRequest? _reinviteAcked;
    private ReadOnlyMemory<byte> _reinviteAck;
    private DigestRetry _reinviteDigest;
    private DigestRetry _byeDigest;

    // RFC 4028 session timer, null when the options leave it off: the refresh we owe or the
    // deadline we watch, and whether the INVITE in flight is already the one retry after a 422.
    private readonly SipSessionTimer? _sessionTimer;
    private SipTimer? _refreshTimer;
    private SipTimer? _expiryTimer;
    private bool _sessionRetried;

    private SipCall(SipCallContext context, SipCallDirection direction, string callId, string localTag, SipCallOptions? options, Action<SipCallEvent> onEvent)
    {
        _context = context;
        _options = options ?? SipCallOptions.Default;
        _onEvent = onEvent ?? throw new ArgumentNullException(nameof(onEvent));
        Direction = direction;
        CallId = callId;
        _localTag = localTag;
        _sessionTimer = _options.SessionTimers ? new SipSessionTimer(_options) : null;
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
            AwaitAck(ok, request.CSeq?.Number ?? 0, _incoming.Channel, initial: true);
            Respond(_incoming, ok);
            RestartSessionTimer();
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
            if (!_unacked2xx.IsEmpty && _unackedIsInitial)
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
            if (_state != SipCallState.Confirmed || _dialog is null || _reinvite is not null || !_unacked2xx.IsEmpty)
            {
                return false;
            }
            _sessionRetried = false;
            return StartReinvite(sdp.IsEmpty ? _localSdp : sdp, answersChallenge: false);
        }
    }

    // Under the lock, confirmed, with no INVITE transaction of the dialog in progress (§14.1).
    private bool StartReinvite(ReadOnlyMemory<byte> offer, bool answersChallenge)
    {
        var invite = _dialog!.CreateRequest(SipMethod.Invite, _context.ViaPrefix);
        AddSessionHeaders(invite, offer);
        AddUserAgent(invite);
        _sessionTimer?.AddTo(invite);
        if (answersChallenge)
        {
            _reinviteDigest.Authorize(invite, _context.Credentials, Authenticator);
        }
        else
        {
            _reinviteDigest.Reset(); // a new re-INVITE goes without credentials, as before the first challenge
        }
        _reinvite = invite;
        _reinviteOffer = offer;
        Task<SipResponse> task;
        try
        {
            task = _context.Transactions.SendInviteAsync(invite, _context.Channel, r => OnReinviteResponse(invite, r));
        }
        catch (Exception e) when (e is SipTransportException or InvalidOperationException)
        {
            _reinvite = null;
            return false;
        }
        _ = task.ContinueWith(t => OnReinviteFailed(invite, t.Exception?.InnerException), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
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

    // ---- outgoing INVITE -------------------------------------------------------------------

    private SipRequest BuildInvite(uint cseq)
    {
        var invite = new SipRequest(SipMethod.Invite, _target!);
        var h = invite.Headers;
        h.Add(SipHeaderId.Via, SipVia.NewTop(_context.ViaPrefix));
        h.Add(SipHeaderId.MaxForwards, "70");
        h.Add(SipHeaderId.From, string.Concat(_context.LocalIdentity, ";tag=", _localTag));
        h.Add(SipHeaderId.To, "<" + _target + ">");
        h.Add(SipHeaderId.CallId, CallId);
        h.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{cseq} INVITE"));
        AddUserAgent(invite);
        _sessionTimer?.AddTo(invite);
        AddSessionHeaders(invite, _localSdp);
        return invite;
    }

    // Under the lock.
    private void StartInvite(SipRequest invite)
    {
        _invite = invite;
        _provisional = false;
        Task<SipResponse> task;
        try
        {
            task = _context.Transactions.SendInviteAsync(invite, _context.Channel, r => OnInviteResponse(invite, r));
        }
        catch (SipTransportException e)
        {
            End(SipCallEndCause.TransportError, null, e.Message, byRemote: false, message: null);
            return;
        }
        _ = task.ContinueWith(t => OnInviteFailed(invite, t.Exception?.InnerException), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnInviteResponse(SipRequest invite, SipResponse response)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(invite, _invite))
            {
                return;
            }
            var status = response.StatusCode;
            if (status < 200)
            {
                OnProvisional(response);
            }
            else if (status < 300)
            {
                On2xx(invite, response);
            }
            else
            {
                OnInviteRejected(invite, response);
            }
        }
    }

    private void OnProvisional(SipResponse response)
    {
        if (_state == SipCallState.Ended)
        {
            return;
        }
        _provisional = true;
        if (_cancelRequested && !_cancelSent)
        {
            SendCancel();
        }
        var status = response.StatusCode;
        if (status == 100 || _dialog is not null)
        {
            return;
        }
        _state = SipCallState.Early;
        if (!response.Body.IsEmpty)
        {
            _remoteSdp = response.Body; // early media
        }
        Emit(new SipCallEvent
        {
            Kind = status == 180 ? SipCallEventKind.Ringing : SipCallEventKind.Progress,
            StatusCode = status, ReasonPhrase = response.ReasonPhrase, ByRemote = true, RemoteSdp = _remoteSdp, Message = response,
        });
    }

    private void On2xx(SipRequest invite, SipResponse response)
    {
        var remoteTag = response.To?.Tag;
        if (_dialog is not null)
        {
            if (_dialog.RemoteTag == remoteTag)
            {
                Send(_ack); // a retransmitted 2xx: our ACK was lost
            }
            else
            {
                AckAndBye(invite, response); // another fork answered too (§13.2.2.4)
            }
            return;
        }
        if (_state == SipCallState.Ended)
        {
            AckAndBye(invite, response); // answered after we gave up on it
            return;
        }
        var dialog = SipDialog.FromResponse(invite, response);
        if (dialog is null || !_context.Dialogs.TryAdd(dialog, this))
        {
            End(SipCallEndCause.Rejected, response.StatusCode, "2xx without a To tag", byRemote: true, response);
            return;
        }
        _dialog = dialog;
        _remoteSdp = response.Body;
        _ack = dialog.CreateAck(invite.CSeq?.Number ?? 1, _context.ViaPrefix).ToArray();
        Send(_ack);
        _noAnswerTimer?.Cancel();
        if (_cancelRequested)
        {
            // §9.1: the 2xx crossed our CANCEL; the call exists after all, so it ends with a BYE.
            SendBye();
            End(_noAnswer ? SipCallEndCause.NoAnswer : SipCallEndCause.Cancelled, response.StatusCode, response.ReasonPhrase, byRemote: false, response);
            return;
        }
        _state = SipCallState.Confirmed;
        if (_sessionTimer is { } timer)
        {
            timer.OnAnswer(response);
            RestartSessionTimer();
        }
        Emit(new SipCallEvent
        {
            Kind = SipCallEventKind.Answered, StatusCode = response.StatusCode, ReasonPhrase = response.ReasonPhrase, ByRemote = true,
            RemoteSdp = _remoteSdp, Message = response,
        });
        Emit(new SipCallEvent { Kind = SipCallEventKind.Confirmed, ByRemote = false, RemoteSdp = _remoteSdp });
    }

    private void AckAndBye(SipRequest invite, SipResponse response)
    {
        if (SipDialog.FromResponse(invite, response) is not { } stray)
        {
            return;
        }
        Send(stray.CreateAck(invite.CSeq?.Number ?? 1, _context.ViaPrefix).ToArray());
        var bye = stray.CreateRequest(SipMethod.Bye, _context.ViaPrefix);
        AddUserAgent(bye);
        SendInTransaction(bye);
    }

    private void OnInviteRejected(SipRequest invite, SipResponse response)
    {
        if (_state == SipCallState.Ended)
        {
            return;
        }
        var status = response.StatusCode;
        if (!_cancelRequested && _inviteDigest.Decide(response, _context.Credentials) == DigestRetryDecision.Retry)
        {
            // Same Call-ID and tag, next CSeq, new branch.
            var retry = BuildInvite((invite.CSeq?.Number ?? 1) + 1);
            AddCredentials(retry);
            StartInvite(retry);
            return;
        }
        if (status == 422 && _sessionTimer is { } timer && !_sessionRetried && !_cancelRequested && timer.RaiseFrom422(response))
        {
            // RFC 4028 §7.3: asked again once, at the floor the 422 names, like the digest retry.
            _sessionRetried = true;
            var retry = BuildInvite((invite.CSeq?.Number ?? 1) + 1);
            AddCredentials(retry);
            StartInvite(retry);
            return;
        }
        var cause = status switch
        {
            487 when _noAnswer => SipCallEndCause.NoAnswer,
            487 when _cancelRequested => SipCallEndCause.Cancelled,
            401 or 407 => SipCallEndCause.AuthenticationFailed,
            _ => SipCallEndCause.Rejected,
        };
        // The 487 to our own CANCEL (asked for, or sent when nobody answered) ends a call we ended.
        End(cause, status, response.ReasonPhrase, byRemote: cause is not (SipCallEndCause.Cancelled or SipCallEndCause.NoAnswer), response);
    }

    // Under the lock: a retried INVITE answers the challenge the previous one met, so a proxy that challenged once lets it through.
    private void AddCredentials(SipRequest invite)
    {
        if (_inviteDigest.Challenge is not null)
        {
            _inviteDigest.Authorize(invite, _context.Credentials, Authenticator);
        }
    }

    private void OnInviteFailed(SipRequest invite, Exception? error)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(invite, _invite) || _state == SipCallState.Ended || _dialog is not null)
            {
                return;
            }
            var cause = error is SipTransactionTimeoutException
                ? (_noAnswer ? SipCallEndCause.NoAnswer : _cancelRequested ? SipCallEndCause.Cancelled : SipCallEndCause.RequestTimeout)
                : SipCallEndCause.TransportError;
            End(cause, null, error?.Message, byRemote: false, message: null);
        }
    }

    // Under the lock.
    private void RequestCancel()
    {
        if (_cancelRequested)
        {
            return;
        }
        _cancelRequested = true;
        if (_provisional)
        {
            SendCancel();
        }
        // §9.1: without a final response 64*T1 after the CANCEL, the INVITE counts as cancelled.
        _cancelTimer = Schedule(_context.Transactions.Timers.TransactionTimeout, CancelTimeoutCallback);
    }

    /// <summary>§9.1: Request-URI, Call-ID, From, To, CSeq number, top Via and Route of the INVITE; method CANCEL.</summary>
    private void SendCancel()
    {
        _cancelSent = true;
        var invite = _invite!;
        var cancel = new SipRequest(SipMethod.Cancel, invite.RequestUriText);
        var h = invite.Headers;
        if (h.TryGetValue(SipHeaderId.Via, out var via))
        {
            cancel.Headers.Add(SipHeaderId.Via, via);
        }
        cancel.Headers.Add(SipHeaderId.MaxForwards, "70");
        for (var i = 0; i < h.Count; i++)
        {
            var id = h.GetId(i);
            if (id is SipHeaderId.Route or SipHeaderId.From or SipHeaderId.To or SipHeaderId.CallId)
            {
                cancel.Headers.Add(id, h.GetValueSpan(i));
            }
        }
        cancel.Headers.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{invite.CSeq?.Number ?? 1} CANCEL"));
        AddUserAgent(cancel);
        SendInTransaction(cancel);
    }

    private void OnCancelTimeout()
    {
        lock (_gate)
        {
            if (_state != SipCallState.Ended && _dialog is null)
            {
                End(_noAnswer ? SipCallEndCause.NoAnswer : SipCallEndCause.Cancelled, null, "no final response to the cancelled INVITE", byRemote: false, message: null);
            }
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

    // Under the lock: a 2xx sent; on UDP it goes again at T1, 2*T1, … up to T2 until the ACK, for 64*T1 at most (§13.3.1.4).
    private void AwaitAck(SipResponse ok, uint cseq, SipChannel channel, bool initial)
    {
        _unacked2xx = ok.ToArray();
        _unackedCSeq = cseq;
        _unackedIsInitial = initial;
        _unackedChannel = channel;
        var timers = _context.Transactions.Timers;
        if (!channel.IsReliable)
        {
            _retransmitInterval = timers.T1;
            _retransmitTimer = Schedule(_retransmitInterval, RetransmitCallback);
        }
        _ackTimer = Schedule(timers.TransactionTimeout, AckTimeoutCallback);
    }

    private void OnRetransmit2xx()
    {
        lock (_gate)
        {
            if (_unacked2xx.IsEmpty || _state == SipCallState.Ended)
            {
                return;
            }
            _retransmitInterval = TimeSpan.FromTicks(Math.Min(_retransmitInterval.Ticks * 2, _context.Transactions.Timers.T2.Ticks));
            _retransmitTimer = Schedule(_retransmitInterval, RetransmitCallback);
            _context.Transactions.CountRetransmission();
            Send(_unacked2xx, _unackedChannel);
        }
    }

    private void OnAckTimeout()
    {
        lock (_gate)
        {
            if (_unacked2xx.IsEmpty || _state == SipCallState.Ended)
            {
                return;
            }
            _unacked2xx = default;
            _retransmitTimer?.Cancel();
            SendBye();
            End(_byeAfterAck ? SipCallEndCause.LocalHangUp : SipCallEndCause.NoAck, null, "no ACK for our 2xx", byRemote: false, message: null);
        }
    }

    // ---- requests inside the dialog ------------------------------------------------------------

    /// <summary>From the dialog table, on a receive loop: a request whose Call-ID and tags are this call's, or an ACK.</summary>
    internal void OnInDialogRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        lock (_gate)
        {
            if (request.Method == SipMethod.Ack)
            {
                OnAck(request);
                return;
            }
            if (_state == SipCallState.Ended || _dialog is null)
            {
                Respond(transaction, transaction.CreateResponse(481));
                return;
            }
            if (_dialog.CheckRemoteCSeq(request) is not 0 and var status)
            {
                Respond(transaction, transaction.CreateResponse(status, "CSeq out of order"));
                return;
            }
            switch (request.Method)
            {
                case SipMethod.Bye:
                    Respond(transaction, transaction.CreateResponse(200));
                    End(SipCallEndCause.RemoteHangUp, null, null, byRemote: true, request);
                    break;
                case SipMethod.Invite:
                    OnReinvite(transaction);
                    break;
                case SipMethod.Update when _sessionTimer is not null:
                    OnUpdate(transaction);
                    break;
                case SipMethod.Options:
                    var ok = transaction.CreateResponse(200);
                    ok.Headers.Add(SipHeaderId.Allow, SipUserAgentDirectory.Allow);
                    ok.Headers.Add(SipHeaderId.Accept, _options.ContentType);
                    Respond(transaction, ok);
                    break;
                default:
                    var refused = transaction.CreateResponse(501);
                    refused.Headers.Add(SipHeaderId.Allow, SipUserAgentDirectory.Allow);
                    Respond(transaction, refused);
                    break;
            }
        }
    }

    // Under the lock.
    private void OnAck(SipRequest ack)
    {
        if (_unacked2xx.IsEmpty || ack.CSeq?.Number != _unackedCSeq || _state == SipCallState.Ended)
        {
            return; // a retransmitted ACK, or one for a 2xx we no longer wait on
        }
        _unacked2xx = default;
        _retransmitTimer?.Cancel();
        _ackTimer?.Cancel();
        if (!_unackedIsInitial)
        {
            return;
        }
        if (!ack.Body.IsEmpty)
        {
            _remoteSdp = ack.Body; // the answer, when the INVITE carried no offer
        }
        Emit(new SipCallEvent { Kind = SipCallEventKind.Confirmed, ByRemote = true, RemoteSdp = _remoteSdp, Message = ack });
        if (_byeAfterAck)
        {
            SendBye();
            End(SipCallEndCause.LocalHangUp, null, null, byRemote: false, message: null);
        }
    }

    // Under the lock: a re-INVITE is answered with our current SDP (no media engine: nothing to renegotiate).
    private void OnReinvite(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (!_unacked2xx.IsEmpty)
        {
            // §14.2: an INVITE while our last 2xx waits for its ACK: the peer retries a little later.
            var busy = transaction.CreateResponse(500, "Previous INVITE not acknowledged");
            busy.Headers.Add(SipHeaderId.RetryAfter, Random.Shared.Next(0, 11).ToString(CultureInfo.InvariantCulture));
            Respond(transaction, busy);
            return;
        }
        if (_reinvite is not null)
        {
            Respond(transaction, transaction.CreateResponse(491)); // glare (§14.2)
            return;
        }
        if (RefuseForSessionTimer(transaction, toTag: null) is { } refusal)
        {
            Respond(transaction, refusal); // the session goes on as it was
            return;
        }
        _dialog!.RefreshTarget(request);
        if (!request.Body.IsEmpty)
        {
            _remoteSdp = request.Body;
        }
        var ok = transaction.CreateResponse(200);
        AddSessionHeaders(ok, _localSdp);
        if (_sessionTimer is { } timer)
        {
            timer.Apply(timer.Evaluate(request), request, ok);
        }
        AwaitAck(ok, request.CSeq?.Number ?? 0, transaction.Channel, initial: false);
        Respond(transaction, ok);
        RestartSessionTimer();
        Emit(new SipCallEvent { Kind = SipCallEventKind.Updated, StatusCode = 200, ReasonPhrase = ok.ReasonPhrase, ByRemote = true, RemoteSdp = _remoteSdp, Message = request });
    }

    /// <summary>
    /// Under the lock, session timers on: an UPDATE (RFC 3311) is how many peers refresh a session
    /// (RFC 4028 §10). Without a body it only refreshes; with an offer it is answered with our
    /// current SDP, as a re-INVITE is. No ACK follows its 2xx.
    /// </summary>
    private void OnUpdate(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (!request.Body.IsEmpty && _reinvite is not null)
        {
            Respond(transaction, transaction.CreateResponse(491)); // RFC 3311 §5.2: its offer crosses ours
            return;
        }
        if (RefuseForSessionTimer(transaction, toTag: null) is { } refusal)
        {
            Respond(transaction, refusal);
            return;
        }
        _dialog!.RefreshTarget(request);
        var offered = !request.Body.IsEmpty;
        if (offered)
        {
            _remoteSdp = request.Body;
        }
        var ok = transaction.CreateResponse(200);
        AddSessionHeaders(ok, offered ? _localSdp : default);
        _sessionTimer!.Apply(_sessionTimer.Evaluate(request), request, ok);
        Respond(transaction, ok);
        RestartSessionTimer();
        Emit(new SipCallEvent { Kind = SipCallEventKind.Updated, StatusCode = 200, ReasonPhrase = ok.ReasonPhrase, ByRemote = true, RemoteSdp = _remoteSdp, Message = request });
    }

    /// <summary>
    /// Under the lock: the answer a peer's INVITE, re-INVITE or UPDATE gets before anything else,
    /// or null. 420 when it requires timers we do not run (RFC 3261 §8.2.2.3, RFC 4028 §9); 422
    /// with our floor when it offers a shorter interval than we accept (RFC 4028 §9).
    /// </summary>
    private SipResponse? RefuseForSessionTimer(SipServerTransaction transaction, string? toTag)
    {
        var request = transaction.Request;
        if (_sessionTimer is null)
        {
            if (!SipOptionTags.Contains(request, SipHeaderId.Require, SipOptionTags.Timer))
            {
                return null;
            }
            var unsupported = transaction.CreateResponse(420, toTag: toTag);
            unsupported.Headers.Add(SipHeaderId.Unsupported, SipOptionTags.Timer);
            return unsupported;
        }
        if (!_sessionTimer.Evaluate(request).TooSmall)
        {
            return null;
        }
        var tooSmall = transaction.CreateResponse(422, toTag: toTag);
        _sessionTimer.AddFloorTo(tooSmall);
        return tooSmall;
    }

    private void OnReinviteResponse(SipRequest invite, SipResponse response)
    {
        lock (_gate)
        {
            var status = response.StatusCode;
            if (status < 200 || _dialog is null)
            {
                return;
            }
            if (status < 300)
            {
                if (ReferenceEquals(invite, _reinviteAcked))
                {
                    Send(_reinviteAck); // retransmitted 2xx
                    return;
                }
                _reinviteAcked = invite;
                _reinviteAck = _dialog.CreateAck(invite.CSeq?.Number ?? 0, _context.ViaPrefix).ToArray();
                Send(_reinviteAck);
                if (!ReferenceEquals(invite, _reinvite) || _state == SipCallState.Ended)
                {
                    return;
                }
                _reinvite = null;
                _dialog.RefreshTarget(response);
                _localSdp = _reinviteOffer;
                if (!response.Body.IsEmpty)
                {
                    _remoteSdp = response.Body;
                }
                if (_sessionTimer is { } timer)
                {
                    timer.OnAnswer(response);
                    RestartSessionTimer();
                }
                Emit(new SipCallEvent
                {
                    Kind = SipCallEventKind.Updated, StatusCode = status, ReasonPhrase = response.ReasonPhrase, ByRemote = false,
                    RemoteSdp = _remoteSdp, Message = response,
                });
                return;
            }
            if (!ReferenceEquals(invite, _reinvite))
            {
                return;
            }
            _reinvite = null;
            // A proxy that challenges in-dialog requests gets our credentials as the INVITE did (next CSeq, new branch).
            if (_reinviteDigest.Decide(response, _context.Credentials) == DigestRetryDecision.Retry && StartReinvite(_reinviteOffer, answersChallenge: true))
            {
                return;
            }
            if (status == 422 && _sessionTimer is { } session && !_sessionRetried && session.RaiseFrom422(response))
            {
                // RFC 4028 §7.4: a refresh below the peer's floor is sent again, once, at that floor.
                _sessionRetried = true;
                if (StartReinvite(_reinviteOffer, answersChallenge: false))
                {
                    return;
                }
            }
            if (status is 408 or 481)
            {
                // §12.2.1.2: the dialog is gone (481) or unreachable (408). RFC 4028 §10 says BYE for both when the re-INVITE refreshed the session.
                if (status == 408 || _sessionTimer is not null)
                {
                    SendBye();
                }
                End(status == 481 ? SipCallEndCause.RemoteHangUp : SipCallEndCause.RequestTimeout, status, response.ReasonPhrase, byRemote: true, response);
                return;
            }
            // Anything else (491, 488, …) leaves the session as it was; a refresher still owes a refresh.
            RetryRefresh(status);
        }
    }

    // Under the lock: our re-INVITE failed and the session goes on. A refresher tries again within
    // the interval: after a quarter of it, or sooner after a glare (§14.1: the Call-ID's owner waits 2.1-4 s, the other side up to 2 s).
    private void RetryRefresh(int status)
    {
        if (_state != SipCallState.Confirmed || _sessionTimer is not { Interval: > 0, LocalRefresher: true } timer)
        {
            return;
        }
        var delay = timer.RefreshDelay / 2;
        if (status == 491)
        {
            var glare = TimeSpan.FromMilliseconds(Direction == SipCallDirection.Outgoing ? Random.Shared.Next(2100, 4001) : Random.Shared.Next(0, 2001));
            delay = glare < delay ? glare : delay;
        }
        _refreshTimer?.Cancel();
        _refreshTimer = Schedule(delay, SessionRefreshCallback);
    }

    // ---- session timer (RFC 4028) --------------------------------------------------------------

    // Under the lock: every 2xx to an INVITE, re-INVITE or UPDATE, sent or received, starts the interval anew (§10).
    private void RestartSessionTimer()
    {
        _refreshTimer?.Cancel();
        _expiryTimer?.Cancel();
        _refreshTimer = null;
        _expiryTimer = null;
        if (_state != SipCallState.Confirmed || _sessionTimer is not { Interval: > 0 } timer)
        {
            return;
        }
        if (timer.LocalRefresher)
        {
            _refreshTimer = Schedule(timer.RefreshDelay, SessionRefreshCallback);
        }
        _expiryTimer = Schedule(timer.ExpiryDelay, SessionExpiryCallback);
    }

    private void OnSessionRefreshDue()
    {
        lock (_gate)
        {
            // A deadline that fired while a newer one replaced it is stale: the newer one is still pending, or none is wanted.
            if (_refreshTimer is not { IsPending: false } || _state != SipCallState.Confirmed
                || _sessionTimer is not { Interval: > 0, LocalRefresher: true })
            {
                return;
            }
            if (_reinvite is not null)
            {
                return; // it carries Session-Expires: its 2xx is the refresh
            }
            _sessionRetried = false;
            if (!_unacked2xx.IsEmpty || !StartReinvite(_localSdp, answersChallenge: false))
            {
                // The peer's INVITE still waits for our 2xx's ACK (no new INVITE meanwhile, §14.1), or the flow refused: soon again.
                _refreshTimer = Schedule(_context.Transactions.Timers.T2, SessionRefreshCallback);
            }
        }
    }

    private void OnSessionExpired()
    {
        lock (_gate)
        {
            if (_expiryTimer is not { IsPending: false } || _state != SipCallState.Confirmed)
            {
                return;
            }
            SendBye();
            End(SipCallEndCause.SessionTimerExpired, null, "no session refresh within the session interval", byRemote: false, message: null);
        }
    }

    private void OnReinviteFailed(SipRequest invite, Exception? error)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(invite, _reinvite))
            {
                return;
            }
            _reinvite = null;
            if (error is SipTransactionTimeoutException)
            {
                SendBye();
                End(SipCallEndCause.RequestTimeout, null, error.Message, byRemote: false, message: null);
            }
            else
            {
                End(SipCallEndCause.TransportError, null, error?.Message, byRemote: false, message: null);
            }
        }
    }

    // ---- ending ------------------------------------------------------------------------------

    // Under the lock.
    private void SendBye()
    {
        if (_dialog is null)
        {
            return;
        }
        var bye = _dialog.CreateRequest(SipMethod.Bye, _context.ViaPrefix);
        AddUserAgent(bye);
        AddTimerSupport(bye);
        if (_byeDigest.Challenge is not null)
        {
            _byeDigest.Authorize(bye, _context.Credentials, Authenticator);
        }
        Task<SipResponse> sent;
        try
        {
            sent = _context.Transactions.SendRequestAsync(bye, _context.Channel);
        }
        catch (SipTransportException)
        {
            return;
        }
        _ = sent.ContinueWith(t => OnByeAnswered(t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>A proxy that challenges in-dialog requests gets our credentials, as for the INVITE; else the peer would stay in the call.</summary>
    private void OnByeAnswered(Task<SipResponse> sent)
    {
        if (!sent.IsCompletedSuccessfully)
        {
            _ = sent.Exception; // observed: a lost BYE changes nothing for an ended call
            return;
        }
        lock (_gate)
        {
            if (_byeDigest.Decide(sent.Result, _context.Credentials) == DigestRetryDecision.Retry)
            {
                SendBye();
            }
        }
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
        _retransmitTimer?.Cancel();
        _ackTimer?.Cancel();
        _refreshTimer?.Cancel();
        _expiryTimer?.Cancel();
        _unacked2xx = default;
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
        message.Headers.Add(SipHeaderId.Allow, SipUserAgentDirectory.Allow);
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

    /// <summary>An ACK or a retransmitted 2xx: straight onto the flow, no transaction (§13.2.2.4, §13.3.1.4).</summary>
    private void Send(ReadOnlyMemory<byte> bytes, SipChannel? channel = null)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        ValueTask sending;
        try
        {
            sending = (channel ?? _context.Channel).SendAsync(bytes);
        }
        catch (SipTransportException)
        {
            return; // the peer retransmits its 2xx, or the ACK timeout ends the call
        }
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    private static async Task ObserveAsync(ValueTask sending)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }

    /// <summary>BYE or CANCEL in its own non-INVITE transaction; its outcome changes nothing for the call.</summary>
    private void SendInTransaction(SipRequest request)
    {
        try
        {
            _ = _context.Transactions.SendRequestAsync(request, _context.Channel)
                .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (SipTransportException)
        {
        }
    }

    private static void Respond(SipServerTransaction transaction, SipResponse response)
    {
        ValueTask sending;
        try
        {
            sending = transaction.RespondAsync(response);
        }
        catch (SipTransportException)
        {
            return;
        }
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    public override string ToString() => $"{Direction} call {CallId} ({State})";
}
