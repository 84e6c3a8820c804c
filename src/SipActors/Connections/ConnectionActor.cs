using System.Diagnostics;
using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Event;
using SipActors.Calls;
using SipActors.Diagnostics;
using SipActors.Events;
using SipActors.Sip.Calls;
using SipActors.Sip.Messaging;
using SipActors.Sip.Registration;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>
/// One SIP account (CONTRACT.md §2): the interpreter of its <see cref="AccountState"/>. Each
/// command and each result of SIP work is an input the state decides on; the actor moves to the
/// decided state, then performs the decision's effects in order (publishing, answering, starting
/// SIP work piped back as inputs, timers, the gate's permits). It holds only what a value cannot:
/// the user agent, cancellation, timers and the calls' session actors.
/// </summary>
public sealed class ConnectionActor : ActorBase
{
    private readonly AccountId _account;
    private readonly SipStack _stack;
    private readonly ConnectionActorSettings _settings;
    private readonly IAccountGate _gate;
    private ILoggingAdapter? _logger; // made on first use: 56 bytes every account held for a rare warning

    private AccountState _state;
    private SipUserAgent? _ua;
    private CancellationTokenSource? _cts;
    private RegistrationExchange? _registering; // the last REGISTER exchange sent, so a teardown can wait for it
    private long _registerSentAt; // Stopwatch timestamp of the last REGISTER sent, for the duration histogram
    private SipActors.Sip.Registration.RegistrationBinding? _continueBinding; // from the Connect, for the user agent it makes
    private CallSessionSetup? _callSetup;
    private AccountCalls? _calls; // made on the first call: most accounts never have one
    private Exception? _restartingAfter;

    // Timers are scheduler messages carrying a stamp: only the tick of the timer last started
    // counts, so one already queued when its timer was cancelled is dropped. IWithTimers' per-actor
    // table and timer records came to ~300 bytes of every idle account.
    private int _lastStamp;
    private int _refreshStamp;  // 0 when none
    private int _recoveryStamp; // 0 when none
    private ICancelable? _refreshTimer;
    private ICancelable? _recoveryTimer;

    private ConnectionActor(AccountId? account, SipStack stack, ConnectionActorSettings settings, IAccountGate gate)
    {
        _account = account ?? AccountId.FromActorName(Context.Self.Path.Name);
        _stack = stack;
        _settings = settings;
        _gate = gate;
        _state = AccountState.Initial(_account);
    }

    // Commands kept by Defer until ResumeDeferred, in their order. The actor's own queue rather
    // than Akka's IWithStash: a stash makes Akka list the actor type's interfaces for a deque
    // mailbox requirement on every actor made, and gives each account a stash and a deque mailbox
    // (~0.6 KB allocated per account made, ~100 B held); most accounts never defer anything.
    private Queue<CommandReceived>? _deferred;
    private CommandReceived? _deciding; // the command being decided, the one a Defer keeps
    private bool _resumeDeferred;

    private ILoggingAdapter Log => _logger ??= Context.GetLogger();

    /// <summary>An account of its own: every transport attempt permitted at once, nothing reported.</summary>
    /// <remarks>
    /// Props built around a producer rather than <c>Props.Create(() =&gt; new ...)</c>: the expression
    /// form compiles a LINQ expression for every Props (a sixth of the CPU of a ramp of ten thousand).
    /// </remarks>
    public static Props Props(AccountId account, SipStack stack, ConnectionActorSettings? settings = null, IAccountGate? gate = null)
        => Akka.Actor.Props.CreateBy(new Producer(account, stack, settings ?? ConnectionActorSettings.Default, gate ?? UnlimitedAccountGate.Instance));

    /// <summary>
    /// One Props for every account of a host (a supervisor, a shard's slice): each account takes its
    /// id from its actor name (<see cref="AccountId.ToActorName"/>), so no Props, Deploy and producer
    /// are made and kept per account.
    /// </summary>
    public static Props Hosted(SipStack stack, ConnectionActorSettings settings, IAccountGate gate)
        => Akka.Actor.Props.CreateBy(new Producer(null, stack, settings, gate));

    private sealed class Producer(AccountId? account, SipStack stack, ConnectionActorSettings settings, IAccountGate gate) : IIndirectActorProducer
    {
        public Type ActorType => typeof(ConnectionActor);

        public ActorBase Produce() => new ConnectionActor(account, stack, settings, gate);

        public void Release(ActorBase actor)
        {
        }
    }

    private sealed record RefreshTick(int Stamp) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    private sealed record RecoveryTick(int Stamp) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    /// <summary>A user agent's flow broke; only the current user agent's loss is an input.</summary>
    private sealed record LostFrom(SipUserAgent UserAgent, string? Error) : INoSerializationVerificationNeeded;

    protected override bool Receive(object message)
    {
        var handled = ReceiveMessage(message);
        if (_resumeDeferred)
        {
            DecideDeferredAgain();
        }
        return handled;
    }

    /// <summary>
    /// As Akka's UnstashAll: the deferred commands are decided again in their order, once the
    /// message that resumed them has been handled and before the next message of the mailbox.
    /// </summary>
    private void DecideDeferredAgain()
    {
        while (_resumeDeferred)
        {
            _resumeDeferred = false;
            var deferred = _deferred;
            _deferred = null;
            while (deferred is { Count: > 0 })
            {
                var command = deferred.Dequeue();
                if (command.Command is Connect connect)
                {
                    _continueBinding = connect.ContinueBinding;
                }
                Run(command);
            }
        }
    }

    private bool ReceiveMessage(object message)
    {
        switch (message)
        {
            case AccountInput input:
                Run(input);
                return true;
            case Answer or Reject or HangUp:
                RouteToCall((IWithAccountId)message);
                return true;
            case GetCalls:
                Sender.Tell(new CallsResult(_account, _calls?.Sessions ?? []));
                return true;
            case IWithAccountId command:
                if (command is Connect connect)
                {
                    _continueBinding = connect.ContinueBinding;
                }
                Run(new CommandReceived(command, Sender));
                return true;
            case RefreshTick tick:
                if (tick.Stamp == _refreshStamp)
                {
                    (_refreshStamp, _refreshTimer) = (0, null);
                    Run(RefreshDue.Instance);
                }
                return true;
            case RecoveryTick tick:
                if (tick.Stamp == _recoveryStamp)
                {
                    (_recoveryStamp, _recoveryTimer) = (0, null);
                    Run(RecoveryDue.Instance);
                }
                return true;
            case LostFrom lost:
                if (ReferenceEquals(lost.UserAgent, _ua))
                {
                    Run(new TransportLost(lost.Error));
                }
                return true;
            case SessionStarted started:
                Calls.Started(started.Session);
                return true;
            case SessionStopped stopped:
                _calls?.Stopped(stopped.CallId, stopped.Actor);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Moves to the decided state, tells the gate of a new status, then performs the effects in order (CONTRACT.md §2: the state is updated when an event is seen).</summary>
    private void Run(AccountInput input)
    {
        // One list per thread, taken for the decision and given back: an actor runs on one thread
        // at a time and performs its effects before it returns (a nested run would find none and make its own).
        var effects = t_effects ?? new List<AccountEffect>(8);
        t_effects = null;
        try
        {
            var previous = _state.Status;
            var outerDeciding = _deciding;
            _deciding = input as CommandReceived;
            _state = _state.DecideInPlace(input, DateTimeOffset.UtcNow, Random.Shared, _settings, effects).State;
            if (_state.Status != previous)
            {
                _gate.StatusChanged(Self, _account, _state.Status);
            }
            foreach (var effect in effects)
            {
                Perform(effect);
            }
            _deciding = outerDeciding;
        }
        finally
        {
            effects.Clear();
            t_effects = effects;
        }
    }

    [ThreadStatic]
    private static List<AccountEffect>? t_effects;

    private void Perform(AccountEffect effect)
    {
        switch (effect)
        {
            case Publish p:
                // A subscriber that throws runs in its own actor and cannot reach us.
                Context.System.EventStream.Publish(p.Event);
                break;
            case Reply r:
                (r.To as IActorRef)?.Tell(r.Message);
                break;
            case Defer:
                // Only a command's decision defers (AccountDecider); it is kept as it came.
                (_deferred ??= new Queue<CommandReceived>(2)).Enqueue(_deciding ?? throw new InvalidOperationException("Defer outside a command's decision"));
                break;
            case ResumeDeferred:
                _resumeDeferred = true;
                break;
            case ResolveParameters r:
                Resolve(r);
                break;
            case CreateUserAgent c:
                CreateUserAgentFor(c);
                break;
            case RequestPermit r:
                _gate.RequestPermit(Self, _account, r.Generation);
                break;
            case ReleasePermit:
                _gate.ReleasePermit(Self, _account);
                break;
            case OpenTransport o:
                Open(o.Generation);
                break;
            case SendRegister s:
                Register(s);
                break;
            case SendUnregister u:
                Unregister(u);
                break;
            case PerformOnFlow f:
                OnFlow(f.Command, f.Requester as IActorRef ?? ActorRefs.Nobody);
                break;
            case AcceptInvite a:
                Context.ActorOf(CallSessionActor.Incoming(_account, _ua!, _callSetup!, a.Invite), Calls.NextName());
                break;
            case RefuseInvite r:
                Observe(r.Invite.TryRespondAsync(r.StatusCode), $"could not answer an INVITE {r.StatusCode.ToString(CultureInfo.InvariantCulture)}");
                break;
            case CloseTransport:
                if (_ua is { } ua)
                {
                    Observe(ua.DisconnectAsync(), "closing the flow failed");
                }
                break;
            case DropUserAgent:
                CancelConnectWork();
                ReleaseUserAgent();
                break;
            case TearDown t:
                TearDownAccount(t);
                break;
            case ConnectSettled:
                // Nothing of this connect is left to cancel: let its source go (with the registration its
                // timeout left behind, ~200 bytes an idle account would otherwise hold).
                _cts = null;
                break;
            case ScheduleRefresh s:
                _refreshStamp = NextStamp();
                _refreshTimer?.Cancel();
                _refreshTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(s.Delay, Self, new RefreshTick(_refreshStamp), Self);
                break;
            case CancelRefresh:
                _refreshTimer?.Cancel();
                (_refreshStamp, _refreshTimer) = (0, null);
                break;
            case ScheduleRecovery s:
                _recoveryStamp = NextStamp();
                _recoveryTimer?.Cancel();
                _recoveryTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(s.Delay, Self, new RecoveryTick(_recoveryStamp), Self);
                break;
            case CancelRecovery:
                _recoveryTimer?.Cancel();
                (_recoveryStamp, _recoveryTimer) = (0, null);
                break;
            case RecordRegistration m:
                Record(m);
                break;
            case Warn w:
                Log.Warning("Account {Account}: {Warning}", _account, w.Message);
                break;
            default:
                throw new InvalidOperationException($"no interpreter for the effect {effect.GetType().Name}");
        }
    }

    // ---- connect ----------------------------------------------------------------------------

    private CancellationToken ConnectToken => (_cts ??= new CancellationTokenSource()).Token;

    /// <summary>Cancels what the connect started (provider, transport attempt); the next connect gets a new source.</summary>
    private void CancelConnectWork()
    {
        _cts?.Cancel();
        _cts = null;
    }

    private void Resolve(ResolveParameters resolve)
    {
        var generation = resolve.Generation;
        AccountWork.ResolveAsync(resolve.Provider, _settings.ProviderTimeout, ConnectToken).PipeTo(Self,
            success: p => new ParametersResolved(generation, p),
            failure: e => new ParametersFailed(generation, Describe(e)));
    }

    private void CreateUserAgentFor(CreateUserAgent create)
    {
        _callSetup = CallSessionSetup.For(create.Parameters);
        var ua = new SipUserAgent(_stack, AccountUserAgentOptions.From(create.Parameters, create.Target, create.User, _settings));
        var self = Self;
        ua.ConnectionLost += (lost, error) => self.Tell(new LostFrom(lost, error?.Message));
        if (!ua.AttachRequestHandler(new AccountRequestHandler(Self)))
        {
            Log.Warning("Account {Account}: user {User} already has a handler in this process; incoming requests go there", _account, create.User);
        }
        if (_continueBinding is { } saved)
        {
            ua.ContinueRegistration(saved);
            _continueBinding = null;
        }
        _ua = ua;
    }

    private void Open(int generation)
    {
        var ua = _ua!;
        if (ua.TryConnectAtOnce())
        {
            // UDP to a server that answered recently: up now, without a task and its timeout.
            Self.Tell(new TransportOpened(generation, ua.Options.User, ua.Contact, LocalEndPointText(ua.LocalEndPoint)));
            return;
        }
        OpenAndWait(ua, generation);
    }

    /// <summary>Apart from <see cref="Open"/>, so that its closure is made only when the connect has to wait.</summary>
    private void OpenAndWait(SipUserAgent ua, int generation)
        => AccountWork.ConnectAsync(ua, _settings.ConnectTimeout, ConnectToken).PipeTo(Self,
            success: () => new TransportOpened(generation, ua.Options.User, ua.Contact, LocalEndPointText(ua.LocalEndPoint)),
            failure: e => new TransportFailed(generation, Describe(e)));

    /// <summary>
    /// The flow's local address as text, for <c>connected</c>: UDP accounts share one socket, so the
    /// last text made is reused for the same address rather than formatted once per account.
    /// </summary>
    private static string? LocalEndPointText(System.Net.IPEndPoint? local)
    {
        if (local is null)
        {
            return null;
        }
        var last = s_lastLocalEndPoint;
        if (last is not null && last.Item1.Equals(local))
        {
            return last.Item2;
        }
        var text = local.ToString();
        s_lastLocalEndPoint = Tuple.Create(local, text);
        return text;
    }

    private static volatile Tuple<System.Net.IPEndPoint, string>? s_lastLocalEndPoint;

    // ---- registration -----------------------------------------------------------------------

    private void Register(SendRegister send)
    {
        if (_ua is not { } ua)
        {
            return;
        }
        _registerSentAt = Stopwatch.GetTimestamp();
        var (self, generation, kind, requester) = (Self, send.Generation, send.Kind, send.Requester);
        var contact = ua.Contact ?? "";
        // The exchange runs where the answers arrive (challenge answered on the receive loop); one
        // message comes back at its end, not a task continuation per step.
        try
        {
            _registering = ua.Register(exchange => self.Tell(new RegistrationCompleted(generation,
                exchange.Result ?? Failure(exchange.Error!, contact), kind, requester)));
        }
        catch (InvalidOperationException e)
        {
            // Not connected: a failed registration, as the faulted task of the async form was.
            Self.Tell(new RegistrationCompleted(generation, Failure(e, contact), kind, requester));
        }
    }

    /// <remarks>
    /// A method of its own, not inline in <see cref="Perform"/>: locals that lambdas capture in a
    /// switch section make a closure object on every call of the method (every effect of every
    /// account paid ~80 bytes for the rare un-REGISTER).
    /// </remarks>
    private void Unregister(SendUnregister send)
    {
        var (generation, requester) = (send.Generation, send.Requester);
        _ua!.UnregisterAsync().PipeTo(Self,
            success: r => new UnregistrationCompleted(generation, r, requester),
            failure: e => new UnregistrationCompleted(generation, Failure(e, ""), requester));
    }

    private void Record(RecordRegistration record)
    {
        if (_registering is { IsCompleted: true })
        {
            // A finished exchange keeps its result and callback: let them go rather than hold them while idle.
            _registering = null;
        }
        if (record.Success)
        {
            (record.Refresh ? SipActorsMetrics.RefreshesCounter : SipActorsMetrics.RegistrationsCounter).Add(1);
            if (_ua is { } ua)
            {
                SipActorsMetrics.RecordRegistration(Stopwatch.GetElapsedTime(_registerSentAt), record.Refresh, ua.Options.Target.Kind);
                if (_gate is IAccountBindingSink sink && ua.Binding is { } binding)
                {
                    sink.BindingSaved(Self, _account, binding);
                }
            }
            return;
        }
        var cause = new KeyValuePair<string, object?>("cause", record.Cause);
        SipActorsMetrics.RegistrationFailuresCounter.Add(1, cause);
        if (record.Refresh)
        {
            SipActorsMetrics.RefreshFailuresCounter.Add(1, cause);
        }
    }

    // ---- commands on the flow and calls -----------------------------------------------------

    private AccountCalls Calls => _calls ??= new AccountCalls();

    private void OnFlow(IWithAccountId command, IActorRef requester)
    {
        var ua = _ua!;
        switch (command)
        {
            case SendMessage send:
                OutOfDialogCommands.SendMessage(ua, _account, send, requester, Context.System.EventStream);
                return;
            case SendOptions options:
                OutOfDialogCommands.SendOptions(ua, _account, options.Target, _settings.OptionsTimeout, requester);
                return;
            case Ping:
                OutOfDialogCommands.SendOptions(ua, _account, ua.AddressOfRecord, _settings.OptionsTimeout, requester);
                return;
            case Call call when !OutOfDialogClient.IsValidTarget(call.Target, out var error):
                requester.Tell(new CommandResult(_account, CommandStatus.Failed, error));
                return;
            case Call call:
                // The session actor answers the command once the INVITE is out, with the call's handle.
                Context.ActorOf(CallSessionActor.Outgoing(_account, ua, _callSetup!, call, requester), Calls.NextName());
                return;
            default:
                requester.Tell(new CommandResult(_account, CommandStatus.Failed, $"{command.GetType().Name} is not a command on the flow"));
                return;
        }
    }

    /// <summary>Answer, Reject and HangUp by Call-ID: to the call's session actor, or answered here when the account has no such call.</summary>
    private void RouteToCall(IWithAccountId command)
    {
        if (_calls is not null && _calls.TryFind(command, out var session))
        {
            session.Actor.Forward(command);
            return;
        }
        Sender.Tell(new CommandResult(_account, CommandStatus.Failed, $"the account has no call with Call-ID '{AccountCalls.CallIdOf(command)}' (it may have ended)"));
    }

    /// <summary>A call that crashes its session actor ends there (its PostStop hangs up); restarting it would place or accept the call again.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    // ---- teardown ---------------------------------------------------------------------------

    private void TearDownAccount(TearDown teardown)
    {
        CancelConnectWork();
        var (generation, wasRegistered, requester, reply) = (teardown.Generation, teardown.WasRegistered, teardown.Requester, teardown.Reply);
        var ua = _ua;
        var registering = _registering;
        (_ua, _registering) = (null, null);
        AccountWork.TeardownAsync(ua, wasRegistered, registering).PipeTo(Self,
            success: r => new TeardownCompleted(generation, wasRegistered, r, requester, reply),
            failure: e => new TeardownCompleted(generation, wasRegistered, Failure(e, ""), requester, reply));
    }

    private void ReleaseUserAgent()
    {
        var ua = _ua;
        (_ua, _registering) = (null, null);
        if (ua is not null)
        {
            Observe(ua.DisposeAsync().AsTask(), "releasing the user agent failed");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /// <summary>Never 0, which means "no timer".</summary>
    private int NextStamp() => _lastStamp = _lastStamp == int.MaxValue ? 1 : _lastStamp + 1;

    /// <summary>Work nobody waits on still has its failure logged, never dropped unobserved.</summary>
    private void Observe(Task task, string what)
    {
        var log = Log;
        var account = _account;
        task.ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                var error = t.Exception!.GetBaseException();
                if (error is ObjectDisposedException)
                {
                    // The stack was closed first on purpose (load --no-unregister keeps the bindings): one line per account would flood the log.
                    log.Debug("Account {Account}: {What}: the SIP stack was closed before the account stopped; its binding expires at the server", account, what);
                    return;
                }
                log.Warning("Account {Account}: {What}: {Error}", account, what, error.Message);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Observe(Task<bool> sent, string what)
    {
        var log = Log;
        var account = _account;
        sent.ContinueWith(t =>
        {
            if (t.IsFaulted || !t.Result)
            {
                log.Warning("Account {Account}: {What}", account, what);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static RegistrationResult Failure(Exception e, string contact)
        => new() { Success = false, Cause = RegistrationFailureCause.ConnectionError, Contact = contact, Error = Describe(e) };

    private static string Describe(Exception e) => (e is AggregateException { InnerException: { } inner } ? inner : e).Message;

    protected override void PreRestart(Exception reason, object message)
    {
        // A crash: the host restarts this account and reconnects it with its last Connect. The flow
        // is dropped without an un-REGISTER: the binding (same instance and reg-id) is taken over by
        // the new registration, and an un-REGISTER racing it could remove it.
        _restartingAfter = reason;
        // Deferred commands are not lost with the crashed instance (Akka's stash gave them back to
        // the mailbox too): they go back to the mailbox, behind what is already there, and the
        // restarted instance decides them as they come.
        while (_deferred is { Count: > 0 })
        {
            var command = _deferred.Dequeue();
            Self.Tell(command.Command, command.Requester as IActorRef ?? ActorRefs.NoSender);
        }
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        _gate.Restarted(Self, _account);
    }

    protected override void PostStop()
    {
        _refreshTimer?.Cancel();
        _recoveryTimer?.Cancel();
        _cts?.Cancel();
        var ua = _ua;
        _ua = null;
        if (ua is not null)
        {
            if (_restartingAfter is { } reason)
            {
                Observe(ua.DisposeAsync().AsTask(), "releasing the user agent failed");
                foreach (var connectionEvent in _state.Crashed(reason, DateTimeOffset.UtcNow).Events)
                {
                    Context.System.EventStream.Publish(connectionEvent);
                }
            }
            else
            {
                // Removed: release the binding and the flow without waiting for it.
                Observe(AccountWork.TeardownAsync(ua, _state.Registered, _registering), "un-registering on stop failed");
            }
        }
        if (_restartingAfter is null)
        {
            _gate.Stopped(Self, _account);
        }
        base.PostStop();
    }
}
