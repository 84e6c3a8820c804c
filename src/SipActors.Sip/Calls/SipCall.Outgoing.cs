using System.Globalization;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Calls;

/// <summary>The outgoing INVITE (RFC 3261 §13.2, §17.1.1): provisional and final responses, the digest and 422 retries, CANCEL (§9.1) and the no-answer timer.</summary>
public sealed partial class SipCall
{
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
            _sessionTimer?.Restart();
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
        if (status == 422 && !_cancelRequested && _sessionTimer is { } timer && timer.TryRaiseOnceFrom422(response))
        {
            // RFC 4028 §7.3: asked again once, at the floor the 422 names, like the digest retry.
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
}
