using System.Globalization;
using SipActors.Calls;
using SipActors.Events;
using SipActors.Sip;
using SipActors.Sip.Registration;
using SipActors.Sip.Transports;

namespace SipActors.Connections;

/// <summary>
/// The account's policy: one decision per input, made on a copy of the state (CONTRACT.md §2
/// for the events and their order, §4 for the answers to commands, §5 for the retries). Each
/// phase takes what it can act on, defers what must wait for it to settle, and answers the rest
/// at once; a result whose generation is not the state's is stale and dropped.
/// </summary>
/// <remarks>
/// A struct over a caller's list: a registration is decided four or five times, and a decider
/// object and list per decision were a tenth of its allocations.
/// </remarks>
internal struct AccountDecider
{
    private const string NotConnected = "not connected: send Connect first";
    private const string Recovering = "the transport is down and recovering";
    private const string RecoveringRegister = "the transport is down and recovering; the account re-registers when it is back";
    private const string Disconnecting = "the account is disconnecting";

    private readonly DateTimeOffset _now;
    private readonly Random _random;
    private readonly ConnectionActorSettings _settings;
    private readonly List<AccountEffect> _effects;
    private AccountState _state;

    public AccountDecider(AccountState state, DateTimeOffset now, Random random, ConnectionActorSettings settings, List<AccountEffect> effects)
    {
        _state = state;
        _now = now;
        _random = random;
        _settings = settings;
        _effects = effects;
    }

    private readonly AccountId Account => _state.Account;

    public AccountDecision Decide(AccountInput input)
    {
        if (input is CommandReceived command)
        {
            OnCommand(command.Command, command.Requester);
        }
        else if (input is AccountResult result && result.Generation != _state.Generation)
        {
            Stale(input);
        }
        else
        {
            OnInput(input);
        }
        return new AccountDecision(_state, _effects);
    }

    // ---- commands ---------------------------------------------------------------------------

    private void OnCommand(IWithAccountId command, object? requester)
    {
        if (command is GetState)
        {
            Tell(requester, _state.ToStateResult());
            return;
        }
        switch (_state.Phase)
        {
            case AccountPhase.Idle:
                switch (command)
                {
                    case Connect connect:
                        StartConnect(connect, requester);
                        break;
                    case Disconnect or Unregister:
                        Answer(requester, CommandStatus.NoOp);
                        break;
                    default:
                        Answer(requester, CommandStatus.Failed, NotConnected);
                        break;
                }
                return;

            case AccountPhase.Connecting:
                switch (command)
                {
                    case Connect:
                        Supersede();
                        break;
                    case Disconnect:
                        Answer(_state.ConnectRequester, CommandStatus.Superseded, "a Disconnect cancelled this connect");
                        Set(_state.WithRequester(null));
                        StartTeardown(requester, reply: null);
                        break;
                    default:
                        // Register, Unregister and the commands on the flow are answered once the connect settles.
                        Do(Defer.Instance);
                        break;
                }
                return;

            case AccountPhase.Connected:
                OnCommandWhileConnected(command, requester);
                return;

            case AccountPhase.Recovering:
                switch (command)
                {
                    case Disconnect or Connect:
                        EndConnection(command, requester);
                        break;
                    case Register:
                        // Not deferred: recovery lasts as long as the server is away, and no command may hang.
                        Answer(requester, CommandStatus.Failed, RecoveringRegister);
                        break;
                    case Unregister:
                        Answer(requester, CommandStatus.NoOp);
                        break;
                    default:
                        Answer(requester, CommandStatus.Failed, Recovering);
                        break;
                }
                return;

            default: // Disconnecting
                if (command is Connect or Disconnect or Register or Unregister)
                {
                    Do(Defer.Instance);
                }
                else
                {
                    Answer(requester, CommandStatus.Failed, Disconnecting);
                }
                return;
        }
    }

    private void OnCommandWhileConnected(IWithAccountId command, object? requester)
    {
        switch (command)
        {
            case Disconnect or Connect:
                EndConnection(command, requester);
                break;
            case Register:
                if (_state.Registered)
                {
                    Answer(requester, CommandStatus.NoOp);
                }
                else if (_state.Parameters is not { Register: true })
                {
                    Answer(requester, CommandStatus.Failed, "connected without registration (Register = false): connect with Register = true, User and Password");
                }
                else
                {
                    StopRetrying();
                    Do(new SendRegister(_state.Generation, RegisterKind.Command, requester));
                }
                break;
            case Unregister:
                // Whatever the answer, the account is not to be registered: a refresh or a pending retry stops too.
                StopRetrying();
                if (_state.Registered)
                {
                    Do(new SendUnregister(_state.Generation, requester));
                }
                else
                {
                    Answer(requester, CommandStatus.NoOp);
                }
                break;
            default:
                Do(new PerformOnFlow(command, requester));
                break;
        }
    }

    /// <summary>
    /// Disconnect, or Connect while a connection exists (up or recovering): the old connection goes
    /// first, with its events; a Connect is decided again once the account is idle.
    /// </summary>
    private void EndConnection(IWithAccountId command, object? requester)
    {
        if (command is Connect)
        {
            Do(Defer.Instance);
            requester = null;
        }
        StartTeardown(requester, reply: null);
    }

    // ---- results and timers -----------------------------------------------------------------

    private void OnInput(AccountInput input)
    {
        var phase = _state.Phase;
        switch (input)
        {
            case ParametersResolved m when phase == AccountPhase.Connecting:
                OnParameters(m.Parameters);
                break;
            case ParametersFailed m when phase == AccountPhase.Connecting:
                Apply(_state.ParametersFailed(m.Error, _now));
                FailConnect(m.Error, cause: null);
                break;
            case PermitGranted when phase == AccountPhase.Connecting && !_state.HoldingPermit:
                Set(_state.WithPermit(true));
                Apply(_state.AttemptStarted(_state.Target!.ToString(), _now));
                Do(new OpenTransport(_state.Generation));
                break;
            case PermitGranted when phase == AccountPhase.Connected && !_state.HoldingPermit:
                // The permit of a registration retry.
                Set(_state.WithPermit(true));
                Do(new SendRegister(_state.Generation, RegisterKind.Refresh, null));
                break;
            case TransportOpened m when phase == AccountPhase.Connecting:
                OnTransportOpened(m);
                break;
            case TransportFailed m when phase == AccountPhase.Connecting:
                if (_state.Recovering)
                {
                    RecoverOrGiveUp(RegistrationFailureCause.ConnectionError, retryAfter: null);
                }
                else
                {
                    FailConnect(m.Error, RegistrationFailureCause.ConnectionError.ToDisplayName(), RegistrationFailureCause.ConnectionError);
                }
                break;
            case RegistrationCompleted m when phase is AccountPhase.Connecting or AccountPhase.Connected:
                OnRegistrationCompleted(m);
                break;
            case UnregistrationCompleted m when phase == AccountPhase.Connected:
                Apply(_state.RegistrationEnded(m.Result, _now));
                // The binding is gone either way from the account's point of view: a failed
                // un-REGISTER lets it expire at the server. The caller hears which.
                Tell(m.Requester, m.Result.Success
                    ? new CommandResult(Account, CommandStatus.Ok)
                    : new CommandResult(Account, CommandStatus.Failed, m.Result.Error ?? Describe("un-REGISTER failed", m.Result)));
                break;
            case TransportLost m when phase == AccountPhase.Connected && _state.TransportUp:
                Do(CancelRefresh.Instance);
                Apply(_state.TransportLost(m.Error ?? "connection lost", _now));
                RecoverOrGiveUp(RegistrationFailureCause.ConnectionError, retryAfter: null);
                break;
            case RefreshDue when phase == AccountPhase.Connected:
                if (_state.RegistrationFailures > 0)
                {
                    // A retry, not a refresh: it waits for the host's rate limit like every attempt.
                    Do(new RequestPermit(_state.Generation));
                }
                else
                {
                    Do(new SendRegister(_state.Generation, RegisterKind.Refresh, null));
                }
                break;
            case RecoveryDue when phase == AccountPhase.Recovering:
                StartAttempt();
                break;
            case TeardownCompleted m when phase == AccountPhase.Disconnecting:
                Apply(_state.TeardownFinished(m.WasRegistered, m.Unregistration, _now));
                Tell(m.Requester, m.Reply ?? new CommandResult(Account, CommandStatus.Ok));
                BecomeIdle();
                break;
            case RequestReceived m:
                OnRequest(m);
                break;
            case InviteReceived m:
                OnInvite(m);
                break;
            default:
                Stale(input);
                break;
        }
    }

    /// <summary>A result of an attempt or phase that is over: dropped, but a permit granted to it goes back at once.</summary>
    private void Stale(AccountInput input)
    {
        if (input is PermitGranted)
        {
            Do(ReleasePermit.Instance);
        }
    }

    // ---- connect ----------------------------------------------------------------------------

    private void StartConnect(Connect command, object? requester)
    {
        Apply(_state.ConnectStarted(_now, requester));
        if (command.Parameters is { } parameters)
        {
            OnParameters(parameters);
        }
        else if (command.Provider is { } provider)
        {
            Do(new ResolveParameters(_state.Generation, provider));
        }
        else
        {
            const string error = "the Connect command has neither parameters nor a provider";
            Apply(_state.ParametersFailed(error, _now));
            FailConnect(error, cause: null);
        }
    }

    private void OnParameters(ConnectionParameters parameters)
    {
        var errors = parameters.Validate();
        SipServerTarget? target = null;
        if (errors.Count == 0)
        {
            SipTargetResolver.TryGetTarget(parameters.SipServerUrl, out target, out _); // one shared target per server, not one per account
        }
        Apply(_state.ParametersResolved(parameters, _now, target));
        if (errors.Count > 0)
        {
            FailConnect("invalid parameters: " + string.Join("; ", errors), cause: null);
            return;
        }
        var user = parameters.Register
            ? parameters.User!
            : _random.Next(100000, 100000000).ToString(CultureInfo.InvariantCulture);
        Do(new CreateUserAgent(parameters, target!, user));
        StartAttempt();
    }

    /// <summary>One transport attempt, the first of a connect or one of a recovery: a new generation, then the host's permit.</summary>
    private void StartAttempt()
    {
        Set(_state.AttemptDue());
        Do(new RequestPermit(_state.Generation));
    }

    private void OnTransportOpened(TransportOpened opened)
    {
        var parameters = _state.Parameters!;
        var configuration = new ConnectionConfiguration(parameters.SipServerIp, parameters.SipServerUrl, parameters.NormalizedDisplayName,
            parameters.Register, opened.User, parameters.Password, opened.Contact, opened.LocalEndPoint);
        Apply(_state.TransportOpened(configuration, _state.Target!.ToString(), opened.LocalEndPoint, _now));
        if (parameters.Register)
        {
            Do(new SendRegister(_state.Generation, RegisterKind.Initial, null));
        }
        else
        {
            CompleteConnect();
        }
    }

    private void CompleteConnect()
    {
        Do(ConnectSettled.Instance);
        if (_state.HoldingPermit)
        {
            Do(ReleasePermit.Instance);
        }
        var (recovered, requester) = (_state.Recovering, _state.ConnectRequester);
        Apply(_state.ConnectCompleted(_now));
        if (!recovered)
        {
            Answer(requester, CommandStatus.Ok);
        }
        Do(ResumeDeferred.Instance);
    }

    private void FailConnect(string error, string? cause, RegistrationFailureCause? retryable = null, TimeSpan? retryAfter = null)
    {
        GiveBackPermit();
        if (retryable is { } transient && _state.Parameters is { RetryConnect: true } && IsTransient(transient))
        {
            // retry-connect: the caller hears of this failure now (no command waits on a server's
            // return), and the account goes on as after a loss: a recovery, backed off.
            Apply(_state.ConnectFailed(error, cause, _now));
            Answer(_state.ConnectRequester, CommandStatus.Failed, error + "; retrying (retry-connect)");
            Set(_state.WithRequester(null));
            RecoverOrGiveUp(transient, retryAfter);
            return;
        }
        Apply(_state.ConnectFailed(error, cause, _now));
        var requester = _state.ConnectRequester;
        Set(_state.WithRequester(null));
        var failed = new CommandResult(Account, CommandStatus.Failed, error);
        if (_state.TransportUp)
        {
            // The caller hears of the failure once the account has settled, after its teardown events.
            StartTeardown(requester, failed);
            return;
        }
        Tell(requester, failed);
        Do(DropUserAgent.Instance);
        BecomeIdle();
    }

    private void Supersede()
    {
        Answer(_state.ConnectRequester, CommandStatus.Superseded, "a newer Connect superseded this one");
        Set(_state.WithRequester(null));
        Do(Defer.Instance);
        if (_state.TransportUp)
        {
            StartTeardown(null, reply: null);
            return;
        }
        GiveBackPermit();
        Do(DropUserAgent.Instance);
        BecomeIdle();
    }

    // ---- registration -----------------------------------------------------------------------

    private void OnRegistrationCompleted(RegistrationCompleted completed)
    {
        var result = completed.Result;
        var refresh = completed.Kind == RegisterKind.Refresh;
        if (refresh)
        {
            GiveBackPermit(); // a retry's; a plain refresh holds none
        }
        if (result.Success)
        {
            Do(new RecordRegistration(true, refresh && _state.Registered, null));
            ResetFailures();
            Apply(_state.RegistrationSucceeded(result, _now));
            Do(new ScheduleRefresh(RefreshPolicy.NextRefresh(Math.Max(1, result.GrantedExpires), _random)));
            if (completed.Kind == RegisterKind.Command)
            {
                Answer(completed.Requester, CommandStatus.Ok);
            }
            else if (completed.Kind == RegisterKind.Initial)
            {
                CompleteConnect();
            }
            return;
        }

        var cause = result.Cause ?? RegistrationFailureCause.SipFailureCode;
        Do(new RecordRegistration(false, refresh, cause.ToDisplayName()));
        if (refresh)
        {
            OnRefreshFailed(result, cause);
            return;
        }
        Apply(_state.RegistrationFailed(result.StatusCode, cause, _now));
        if (completed.Kind == RegisterKind.Command)
        {
            // A Register command that failed: the transport stays up, registration is its sub-state (CONTRACT.md §5.3).
            Answer(completed.Requester, CommandStatus.Failed, result.Error ?? Describe("registration failed", result));
            return;
        }
        if (_state.Recovering)
        {
            // A recovery attempt that cannot register: retry later, unless the server refuses us outright.
            RecoverOrGiveUp(cause, result.RetryAfter);
            return;
        }
        FailConnect(result.Error ?? Describe("registration failed", result), cause.ToDisplayName(), cause, result.RetryAfter);
    }

    /// <summary>
    /// A refresh (or a retry of one) failed with the flow up: <c>unregistered</c>, then a retry with
    /// exponential backoff, Retry-After honoured (CONTRACT.md §5.6), unless the server refuses us.
    /// </summary>
    private void OnRefreshFailed(RegistrationResult result, RegistrationFailureCause cause)
    {
        Apply(_state.RegistrationEnded(result, _now));
        if (Refuses(cause))
        {
            ResetFailures();
            Do(new Warn($"refresh refused ({cause.ToDisplayName()}{StatusSuffix(result)}); not retrying"));
            return;
        }
        var failures = _state.RegistrationFailures + 1;
        Set(_state.WithRegistrationFailures(failures));
        Do(new ScheduleRefresh(_settings.RegistrationRetry.Delay(failures, result.RetryAfter, _random.NextDouble())));
    }

    /// <summary>No more refresh or retry: an Unregister or Register command takes over.</summary>
    private void StopRetrying()
    {
        Do(CancelRefresh.Instance);
        GiveBackPermit();
        ResetFailures();
    }

    // ---- loss and recovery ------------------------------------------------------------------

    /// <summary>
    /// The flow is down (lost, or a recovery attempt failed): the next attempt after a backoff, or
    /// an end to recovering when the server refuses the account (401/403). A transport failure
    /// backs off between the recovery bounds of the parameters (CONTRACT.md §3); a server that
    /// answers but fails the REGISTER backs off like a failed refresh, Retry-After honoured.
    /// </summary>
    private void RecoverOrGiveUp(RegistrationFailureCause cause, TimeSpan? retryAfter)
    {
        GiveBackPermit();
        if (Refuses(cause))
        {
            Do(new Warn($"recovery stopped, the server refuses the account ({cause.ToDisplayName()})"));
            Do(CloseTransport.Instance);
            Apply(_state.RecoveryAbandoned(cause, _now));
            Do(DropUserAgent.Instance);
            BecomeIdle();
            return;
        }
        Do(CloseTransport.Instance);
        if (_state.TransportUp)
        {
            // The attempt's flow was up (connected published) and closes for the retry: one disconnected per close.
            Do(new Publish(new Disconnected(Account, _now, true, cause.ToDisplayName())));
        }
        Set(_state.RecoveryScheduled().AsRecovering());
        TimeSpan delay;
        if (cause == RegistrationFailureCause.ConnectionError)
        {
            delay = _state.Backoff(_state.Attempt, _random.NextDouble());
        }
        else
        {
            var failures = _state.RegistrationFailures + 1;
            Set(_state.WithRegistrationFailures(failures));
            delay = _settings.RegistrationRetry.Delay(failures, retryAfter, _random.NextDouble());
        }
        Do(new ScheduleRecovery(delay));
        Do(ResumeDeferred.Instance);
    }

    // ---- teardown ---------------------------------------------------------------------------

    private void StartTeardown(object? requester, CommandResult? reply)
    {
        GiveBackPermit();
        Do(CancelRefresh.Instance);
        Do(CancelRecovery.Instance);
        var wasRegistered = _state.Registered;
        Set(_state.InPhase(AccountPhase.Disconnecting).WithRegistrationFailures(0));
        Apply(_state.TeardownStarted(_now));
        Do(new TearDown(_state.Generation, wasRegistered, requester, reply));
    }

    private void BecomeIdle()
    {
        Set(_state.Dropped().InPhase(AccountPhase.Idle).WithPermit(false).WithRegistrationFailures(0));
        Do(ResumeDeferred.Instance);
    }

    // ---- incoming requests ------------------------------------------------------------------

    private void OnRequest(RequestReceived received)
    {
        var request = received.Request;
        var body = System.Text.Encoding.UTF8.GetString(request.Body.Span);
        if (request.Method == SipMethod.Notify)
        {
            var evt = request.Event;
            Do(new Publish(new SipEvent(Account, _now, evt?.Package ?? "", evt?.Id, request.ContentType, body)
            {
                EventParameters = evt?.Parameters ?? [],
                Request = request,
            }));
            return;
        }
        Do(new Publish(new NewMessage(Account, _now, "remote", request.From?.UriText ?? "", request.To?.UriText ?? "", request.ContentType, body)));
    }

    private void OnInvite(InviteReceived received)
    {
        if (_state.Parameters?.IncomingCalls == IncomingCallPolicy.IgnoreEvent)
        {
            // The seed library's answer when nobody listens for calls; no event.
            Do(new RefuseInvite(received.Invite, 405));
            return;
        }
        Do(_state.Status is ConnectionStatus.Connected or ConnectionStatus.Registered
            ? new AcceptInvite(received.Invite)
            : new RefuseInvite(received.Invite, 480));
    }

    // ---- helpers ----------------------------------------------------------------------------

    /// <summary>A failure a later attempt may not meet: the server away, busy or slow, not refusing this account.</summary>
    private static bool IsTransient(RegistrationFailureCause cause)
        => cause is RegistrationFailureCause.ConnectionError or RegistrationFailureCause.RequestTimeout
            or RegistrationFailureCause.Unavailable or RegistrationFailureCause.SipFailureCode;

    private static bool Refuses(RegistrationFailureCause cause)
        => cause is RegistrationFailureCause.AuthenticationError or RegistrationFailureCause.Rejected;

    private void GiveBackPermit()
    {
        if (_state.HoldingPermit)
        {
            Set(_state.WithPermit(false));
            Do(ReleasePermit.Instance);
        }
    }

    private void Answer(object? requester, CommandStatus status, string? error = null)
        => Tell(requester, new CommandResult(Account, status, error));

    /// <summary>A reply, when someone asked (a teardown or a recovery may be nobody's command).</summary>
    private void Tell(object? requester, object message)
    {
        if (requester is not null)
        {
            Do(new Reply(requester, message));
        }
    }

    private static string Describe(string what, RegistrationResult result)
        => $"{what}: {result.StatusCode} {result.ReasonPhrase}".Trim();

    private static string StatusSuffix(RegistrationResult result)
        => result.StatusCode is { } status ? " " + status.ToString(CultureInfo.InvariantCulture) : "";

    private void Set(AccountState state) => _state = state;

    private void ResetFailures()
    {
        if (_state.RegistrationFailures != 0)
        {
            Set(_state.WithRegistrationFailures(0));
        }
    }

    private void Do(AccountEffect effect) => _effects.Add(effect);

    private void Apply(AccountTransition transition)
    {
        _state = transition.State;
        if (transition.Listed is { } events)
        {
            // By index: a foreach over the IReadOnlyList would allocate an array enumerator per transition.
            for (var i = 0; i < events.Count; i++)
            {
                _effects.Add(new Publish(events[i]));
            }
            return;
        }
        if (transition.First is { } first)
        {
            _effects.Add(new Publish(first));
        }
        if (transition.Second is { } second)
        {
            _effects.Add(new Publish(second));
        }
    }
}
