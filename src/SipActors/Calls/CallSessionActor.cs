using System.Text;
using Akka.Actor;
using Akka.Event;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.Calls;
using SipActors.Sip.Sdp;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Calls;

/// <summary>
/// One call of an account, a child of its <see cref="ConnectionActor"/>: it owns the
/// <see cref="SipCall"/>, publishes <c>connection:newRTCSession</c> and then the call's
/// <c>session:*</c> steps, and takes Answer, Reject and HangUp. The call's steps arrive from the
/// SIP layer as messages (its callback only tells); the actor stops when the call ends. Stopped
/// early (the account stopped or was removed), it hangs the call up.
/// </summary>
internal sealed class CallSessionActor : UntypedActor
{
    private readonly AccountId _account;
    private readonly SipUserAgent _ua;
    private readonly CallSessionSetup _setup;
    private SipCall? _call;
    private CallSession? _session;
    private bool _ended;

    private sealed record Step(SipCallEvent Event) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    private CallSessionActor(AccountId account, SipUserAgent ua, CallSessionSetup setup)
    {
        _account = account;
        _ua = ua;
        _setup = setup;
    }

    // An UntypedActor's switch rather than a ReceiveActor's Receive<T> calls: those build a match
    // handler for every new actor, one per call here (2-3% of the CPU of a call load, measured).
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Step step:
                OnStep(step.Event);
                break;
            case Answer answer:
                OnAnswer(answer);
                break;
            case Reject reject:
                OnReject(reject);
                break;
            case HangUp:
                Sender.Tell(new CommandResult(_account, _call!.HangUp() ? CommandStatus.Ok : CommandStatus.NoOp));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>An outgoing call to <paramref name="command"/>'s target; <paramref name="replyTo"/> hears the outcome of placing it.</summary>
    public static Props Outgoing(AccountId account, SipUserAgent ua, CallSessionSetup setup, Call command, IActorRef replyTo)
        => Props.CreateBy(new Producer(account, ua, setup with { Outgoing = command, ReplyTo = replyTo }));

    /// <summary>An incoming INVITE, handled by the account's policy.</summary>
    public static Props Incoming(AccountId account, SipUserAgent ua, CallSessionSetup setup, SipServerTransaction invite)
        => Props.CreateBy(new Producer(account, ua, setup with { Invite = invite }));

    // A producer rather than Props.Create(() => ...): no expression compiled per call.
    private sealed class Producer(AccountId account, SipUserAgent ua, CallSessionSetup setup) : IIndirectActorProducer
    {
        public Type ActorType => typeof(CallSessionActor);

        public ActorBase Produce() => new CallSessionActor(account, ua, setup);

        public void Release(ActorBase actor)
        {
        }
    }

    protected override void PreStart()
    {
        var self = Self;
        Action<SipCallEvent> onEvent = e => self.Tell(new Step(e));
        if (_setup.Outgoing is { } command)
        {
            var sdp = command.Sdp ?? MinimalSdp.Offer(_ua.LocalEndPoint?.Address);
            try
            {
                _call = _ua.PlaceCall(command.Target, Encoding.UTF8.GetBytes(sdp), onEvent, _setup.Options);
            }
#pragma warning disable CA1031 // whatever failed, the Call command must hear of it: every command gets an answer
            catch (Exception e)
#pragma warning restore CA1031
            {
                _ended = true;
                _setup.ReplyTo!.Tell(new CommandResult(_account, CommandStatus.Failed, "the call could not be placed: " + e.Message));
                Context.Stop(Self);
                return;
            }
            Start("local", _ua.AddressOfRecord, command.Target);
            _setup.ReplyTo!.Tell(new CommandResult(_account, CommandStatus.Ok) { Session = _session });
            return;
        }

        var invite = _setup.Invite!;
        try
        {
            _call = _ua.AcceptCall(invite, onEvent, _setup.Options);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or SipTransportException)
        {
            // The flow went away between the INVITE and this actor: answer it, or the caller waits for Timer B.
            _ended = true;
            var log = Context.GetLogger();
            var account = _account;
            invite.TryRespondAsync(480).ContinueWith(t =>
            {
                if (!t.Result)
                {
                    log.Warning("Account {Account}: could not answer an INVITE 480: {Error}", account, invite.LastSendError?.Message);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            Context.Stop(Self);
            return;
        }
        Start("remote", invite.Request.From?.UriText ?? "", invite.Request.To?.UriText ?? "");
        switch (_setup.Policy)
        {
            case IncomingCallPolicy.AutoAnswer:
                _call.Answer(Encoding.UTF8.GetBytes(AnswerSdp(null)));
                break;
            case IncomingCallPolicy.Reject:
                _call.Reject(486);
                break;
            default:
                _call.Ring();
                break;
        }
    }

    private void Start(string originator, string from, string to)
    {
        _session = new CallSession(_account, _call!.CallId, originator, from, to, Self);
        Publish(new NewRtcSession(_account, Now, _session, _call.Request));
        Context.Parent.Tell(new SessionStarted(_session));
    }

    private void OnStep(SipCallEvent step)
    {
        var callId = _call!.CallId;
        var originator = step.ByRemote ? "remote" : "local";
        switch (step.Kind)
        {
            case SipCallEventKind.Ringing:
                Publish(new SessionRinging(_account, Now, callId, originator));
                break;
            case SipCallEventKind.Progress:
                Publish(new SessionProgress(_account, Now, callId, step.StatusCode ?? 0, step.ReasonPhrase ?? "", Text(step.RemoteSdp)));
                break;
            case SipCallEventKind.Answered:
                Publish(new SessionAnswered(_account, Now, callId, originator, Text(step.RemoteSdp)));
                break;
            case SipCallEventKind.Confirmed:
                Publish(new SessionConfirmed(_account, Now, callId, originator));
                break;
            case SipCallEventKind.Updated:
                Publish(new SessionUpdated(_account, Now, callId, originator, Text(step.RemoteSdp)));
                break;
            case SipCallEventKind.Ended:
                _ended = true;
                var cause = step.Cause ?? SipCallEndCause.ConnectionLost;
                Publish(new SessionEnded(_account, Now, callId, originator, SessionEndCauses.From(cause, step.StatusCode), step.StatusCode, step.ReasonPhrase));
                Context.Stop(Self);
                break;
        }
    }

    private void OnAnswer(Answer command)
    {
        var call = _call!;
        if (call.Direction == SipCallDirection.Outgoing)
        {
            Sender.Tell(new CommandResult(_account, CommandStatus.Failed, "an outgoing call is answered by the peer, not by Answer"));
            return;
        }
        Sender.Tell(call.Answer(Encoding.UTF8.GetBytes(AnswerSdp(command.Sdp)))
            ? new CommandResult(_account, CommandStatus.Ok)
            : new CommandResult(_account, CommandStatus.Failed, $"the call can no longer be answered (it is {call.State})"));
    }

    private void OnReject(Reject command)
    {
        var call = _call!;
        if (command.StatusCode is < 300 or > 699)
        {
            Sender.Tell(new CommandResult(_account, CommandStatus.Failed, $"Reject needs a final status 300..699, not {command.StatusCode}"));
            return;
        }
        if (call.Direction == SipCallDirection.Outgoing)
        {
            Sender.Tell(new CommandResult(_account, CommandStatus.Failed, "an outgoing call cannot be rejected: use HangUp"));
            return;
        }
        Sender.Tell(call.Reject(command.StatusCode)
            ? new CommandResult(_account, CommandStatus.Ok)
            : new CommandResult(_account, CommandStatus.Failed, $"the call can no longer be rejected (it is {call.State})"));
    }

    /// <summary>The command's SDP, else the account's configured answer, else a minimal inactive answer to the offer.</summary>
    private string AnswerSdp(string? given)
        => given ?? _setup.AnswerSdp ?? MinimalSdp.Answer(_call!.RemoteSdp.Span, _ua.LocalEndPoint?.Address);

    protected override void PostStop()
    {
        if (!_ended)
        {
            try
            {
                _call?.HangUp();
            }
            catch (Exception e) when (e is ObjectDisposedException or SipTransportException or InvalidOperationException)
            {
                // The stack went first (a process shutting down): the peer finds out by its own timers.
                Context.GetLogger().Debug("Call {0} not hung up: {1}", _call!.CallId, e.Message);
            }
        }
        if (_session is not null)
        {
            Context.Parent.Tell(new SessionStopped(_session.CallId, Self));
        }
        base.PostStop();
    }

    private void Publish(AccountEvent accountEvent) => Context.System.EventStream.Publish(accountEvent);

    private static string? Text(ReadOnlyMemory<byte> sdp) => sdp.IsEmpty ? null : Encoding.UTF8.GetString(sdp.Span);

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;
}
