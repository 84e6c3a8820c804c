using System.Globalization;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Calls;

/// <summary>Requests inside the dialog (RFC 3261 §12.2, §14, §15): the peer's ACK, BYE, re-INVITE, UPDATE and OPTIONS, and our re-INVITE and BYE.</summary>
public sealed partial class SipCall
{
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
                    ok.Headers.Add(SipHeaderId.Allow, SipMethods.Allow);
                    ok.Headers.Add(SipHeaderId.Accept, _options.ContentType);
                    Respond(transaction, ok);
                    break;
                default:
                    var refused = transaction.CreateResponse(501);
                    refused.Headers.Add(SipHeaderId.Allow, SipMethods.Allow);
                    Respond(transaction, refused);
                    break;
            }
        }
    }

    // Under the lock.
    private void OnAck(SipRequest ack)
    {
        if (_state == SipCallState.Ended || !_ackWait.TryAcknowledge(ack))
        {
            return; // a retransmitted ACK, or one for a 2xx we no longer wait on
        }
        if (!_ackWait.IsInitial)
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
        if (_ackWait.IsWaiting)
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
        _ackWait.Start(ok, request.CSeq?.Number ?? 0, transaction.Channel, initial: false);
        Respond(transaction, ok);
        _sessionTimer?.Restart();
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
        _sessionTimer?.Restart();
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
                    _sessionTimer?.Restart();
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
            if (status == 422 && _sessionTimer is { } session && session.TryRaiseOnceFrom422(response))
            {
                // RFC 4028 §7.4: a refresh below the peer's floor is sent again, once, at that floor.
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
            _sessionTimer?.RetryRefresh(status);
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
}
