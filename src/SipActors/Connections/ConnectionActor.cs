using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Event;
using SipActors.Calls;
using SipActors.Diagnostics;
using SipActors.Events;
using SipActors.Sip;
using SipActors.Sip.Calls;
using SipActors.Sip.Messaging;
using SipActors.Sip.Registration;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>
/// One SIP account: its connect/register state machine and its user agent, publishing every step
/// as a <c>connection:*</c> event (CONTRACT.md §2). SIP work runs as tasks piped back as messages;
/// every pipe carries the generation it belongs to, so results of a superseded or torn-down
/// attempt are recognised and dropped. The state is updated before each event is published.
/// </summary>
public sealed class ConnectionActor : ActorBase, IWithStash
{

    private readonly AccountId _account;
    private readonly SipStack _stack;
    private readonly ConnectionActorSettings _settings;
    private ILoggingAdapter? _logger; // made on first use: 56 bytes every account held for a rare warning

    private ILoggingAdapter Log => _logger ??= Context.GetLogger();
    // Shared (thread-safe) rather than one per account: a Random is 72 bytes of every idle account.
    private static Random Rng => Random.Shared;

    private AccountState _state;
    private int _refreshFailures;
    private IActorRef? _caller;
    private SipUserAgent? _ua;
    private CancellationTokenSource? _cts;
    private readonly bool _supervised;
    private bool _holdingPermit;
    private Exception? _restartingAfter;
    private Task<RegistrationResult>? _registering; // the last REGISTER exchange sent, so a teardown can wait for it
    private CallSessionSetup? _callSetup;
    private int _lastStamp;
    private long _registerSentAt; // Stopwatch timestamp of the last REGISTER sent, for the latency histogram
    private int _refreshStamp;  // stamp of the pending refresh tick; 0 when none
    private int _recoveryStamp; // stamp of the pending recovery tick; 0 when none
    private ICancelable? _refreshTimer;
    private ICancelable? _recoveryTimer;
    private Dictionary<string, CallSession>? _calls; // made on the first call: most accounts never have one
    private int _callSequence;

    // Each state's delegate is made once, when first entered: a registered idle account holds two.
    private Behavior _behavior = Behavior.Idle;

    /// <summary>Which state method takes the next message.</summary>
    private enum Behavior : byte
    {
        Idle,
        Connecting,
        Connected,
        Recovering,
        Disconnecting,
    }

    public ConnectionActor(AccountId account, SipStack stack, ConnectionActorSettings settings, bool supervised)
        : this((AccountId?)account, stack, settings, supervised)
    {
    }

    // account: null under a supervisor, which names each child after its escaped id: the name is the account.
    private ConnectionActor(AccountId? account, SipStack stack, ConnectionActorSettings settings, bool supervised)
    {
        _account = account ?? new AccountId(Uri.UnescapeDataString(Context.Self.Path.Name));
        _stack = stack;
        _settings = settings;
        _supervised = supervised;
        _state = AccountState.Initial(_account);
    }

    public IStash Stash { get; set; } = null!;

    /// <param name="account">The account this actor owns.</param>
    /// <param name="stack">The process's shared SIP stack.</param>
    /// <param name="settings">Timeouts and defaults; <see cref="ConnectionActorSettings.Default"/> when null.</param>
    /// <param name="supervised">True under a <see cref="ConnectionSupervisor"/>: state changes are reported to it and each transport attempt waits for its permit.</param>
    /// <summary>
    /// Props built around a producer rather than <c>Props.Create(() =&gt; new ...)</c>: the expression
    /// form compiles a LINQ expression for every Props, which measured as a sixth of the CPU of a
    /// ramp of ten thousand accounts (one Props per account).
    /// </summary>
    public static Props Props(AccountId account, SipStack stack, ConnectionActorSettings? settings = null, bool supervised = false)
        => Akka.Actor.Props.CreateBy(new Producer(account, stack, settings ?? ConnectionActorSettings.Default, supervised));

    /// <summary>
    /// One Props for every account of a supervisor: the account id comes from the child's name, so
    /// no Props, Deploy and producer are made (and kept by the actor cell) per account.
    /// </summary>
    internal static Props Supervised(SipStack stack, ConnectionActorSettings settings)
        => Akka.Actor.Props.CreateBy(new Producer(null, stack, settings, supervised: true));

    private sealed class Producer(AccountId? account, SipStack stack, ConnectionActorSettings settings, bool supervised) : IIndirectActorProducer
    {
        public Type ActorType => typeof(ConnectionActor);

        public ActorBase Produce() => new ConnectionActor(account, stack, settings, supervised);

        public void Release(ActorBase actor)
        {
        }
    }

    // ---- messages piped back from SIP work ------------------------------------------------

    private sealed record ParametersResolved(int Generation, ConnectionParameters Parameters);
    private sealed record ParametersFailed(int Generation, string Error);
    private sealed record TransportUp(int Generation);
    private sealed record TransportFailed(int Generation, string Error);
    private sealed record TransportLost(SipUserAgent UserAgent, string? Error);
    private sealed record RegistrationDone(int Generation, RegistrationResult Result, bool Refresh, IActorRef? ReplyTo = null);
    private sealed record UnregistrationDone(int Generation, RegistrationResult Result, IActorRef ReplyTo);
    private sealed record TeardownDone(int Generation, IActorRef? ReplyTo, CommandResult? Reply, RegistrationResult? Unregistration, bool WasRegistered);

    // Timer messages carry a stamp: only the tick of the timer last started counts, so a tick that
    // was already queued when its timer was cancelled is recognised and dropped. Scheduled on the
    // system scheduler directly rather than through IWithTimers, whose per-actor table and timer
    // records came to ~300 bytes of every idle account.
    private sealed record RefreshTick(int Stamp) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    private sealed record RecoveryTick(int Stamp) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    // ---- states ---------------------------------------------------------------------------

    // Each state is a method matching on the message type, chosen by a field rather than Become:
    // the ReceiveActor form rebuilt its handler table on every Become (a quarter of the
    // allocations of a registration ramp), and a delegate per state held 64 bytes each in every
    // idle account.

    private bool Idle(object message)
    {
        switch (message)
        {
            case Connect connect:
                StartConnect(connect);
                return true;
            case Disconnect or Unregister:
                Sender.Tell(new CommandResult(_account, CommandStatus.NoOp));
                return true;
            case Register or SendMessage or SendOptions or Ping or Call:
                Sender.Tell(new CommandResult(_account, CommandStatus.Failed, "not connected: send Connect first"));
                return true;
            default:
                return Otherwise(message, flowExists: false);
        }
    }

    private bool Connecting(object message)
    {
        switch (message)
        {
            case ParametersResolved m when m.Generation == _state.Generation:
                OnParametersResolved(m);
                return true;
            case ParametersFailed m when m.Generation == _state.Generation:
                OnParametersFailed(m);
                return true;
            case ConnectPermit m when m.Generation == _state.Generation:
                _holdingPermit = true;
                Attempt();
                return true;
            case TransportUp m when m.Generation == _state.Generation:
                OnTransportUp();
                return true;
            case TransportFailed m when m.Generation == _state.Generation:
                OnTransportFailed(m.Error);
                return true;
            case RegistrationDone m when m.Generation == _state.Generation:
                OnRegistrationDone(m);
                return true;
            case Connect connect:
                Supersede(connect);
                return true;
            case Disconnect disconnect:
                OnDisconnectWhileConnecting(disconnect);
                return true;
            case Register or Unregister or SendMessage or SendOptions or Ping or Call:
                // Answered once the connect settles: registered, failed or superseded.
                Stash.Stash();
                return true;
            default:
                return Otherwise(message, flowExists: true);
        }
    }

    private bool Connected(object message)
    {
        switch (message)
        {
            case Disconnect:
                StartTeardown(Sender);
                return true;
            case Connect:
                // Connect while connected: the old connection goes first, with its events.
                Stash.Stash();
                StartTeardown(null);
                return true;
            case RefreshTick tick when tick.Stamp == _refreshStamp:
                _refreshStamp = 0;
                _refreshTimer = null;
                Refresh();
                return true;
            case RegistrationDone m when m.Generation == _state.Generation:
                OnRegistrationDone(m);
                return true;
            case Register:
                OnRegisterCommand();
                return true;
            case Unregister:
                OnUnregisterCommand();
                return true;
            case SendMessage send:
                OnSendMessage(send);
                return true;
            case SendOptions options:
                SendOptionsTo(options.Target);
                return true;
            case Ping:
                SendOptionsTo(_ua!.AddressOfRecord);
                return true;
            case Call call:
                PlaceCall(call);
                return true;
            case UnregistrationDone m when m.Generation == _state.Generation:
                OnUnregistrationDone(m);
                return true;
            case TransportLost m when ReferenceEquals(m.UserAgent, _ua) && _state.TransportUp:
                OnTransportLost(m.Error);
                return true;
            default:
                return Otherwise(message, flowExists: true);
        }
    }

    private bool Recovering(object message)
    {
        switch (message)
        {
            case RecoveryTick tick when tick.Stamp == _recoveryStamp:
                _recoveryStamp = 0;
                _recoveryTimer = null;
                StartAttempt();
                return true;
            case Register:
                // Not stashed: recovery may last as long as the server is away, and no command may hang.
                Sender.Tell(new CommandResult(_account, CommandStatus.Failed, "the transport is down and recovering; the account re-registers when it is back"));
                return true;
            case Unregister:
                Sender.Tell(new CommandResult(_account, CommandStatus.NoOp));
                return true;
            case SendMessage or SendOptions or Ping or Call:
                Sender.Tell(new CommandResult(_account, CommandStatus.Failed, "the transport is down and recovering"));
                return true;
            case Disconnect:
                StartTeardown(Sender);
                return true;
            case Connect:
                Stash.Stash();
                StartTeardown(null);
                return true;
            default:
                return Otherwise(message, flowExists: false);
        }
    }

    private bool Disconnecting(object message)
    {
        switch (message)
        {
            case TeardownDone m when m.Generation == _state.Generation:
                OnTeardownDone(m);
                return true;
            case Connect or Disconnect or Register or Unregister:
                Stash.Stash();
                return true;
            case SendMessage or SendOptions or Ping or Call:
                Sender.Tell(new CommandResult(_account, CommandStatus.Failed, "the account is disconnecting"));
                return true;
            default:
                return Otherwise(message, flowExists: true);
        }
    }

    /// <summary>What every state answers alike: state queries, commands for calls, incoming requests while there is a flow (480 otherwise), stale results.</summary>
    private bool Otherwise(object message, bool flowExists)
    {
        switch (message)
        {
            case GetState:
                ReplyState();
                return true;
            case Answer or Reject or HangUp:
                RouteToCall((IWithAccountId)message);
                return true;
            case GetCalls:
                Sender.Tell(new CallsResult(_account, _calls is null ? [] : [.. _calls.Values]));
                return true;
            case SessionStarted started:
                (_calls ??= new Dictionary<string, CallSession>(StringComparer.Ordinal))[started.Session.CallId] = started.Session;
                return true;
            case SessionStopped stopped:
                if (_calls is not null && _calls.TryGetValue(stopped.CallId, out var session) && session.Actor.Equals(stopped.Actor))
                {
                    _calls.Remove(stopped.CallId);
                }
                return true;
            case AccountRequestHandler.IncomingRequest incoming when flowExists:
                OnIncomingRequest(incoming);
                return true;
            default:
                return IgnoreStale(message);
        }
    }

    protected override bool Receive(object message) => _behavior switch
    {
        Behavior.Connecting => Connecting(message),
        Behavior.Connected => Connected(message),
        Behavior.Recovering => Recovering(message),
        Behavior.Disconnecting => Disconnecting(message),
        _ => Idle(message),
    };

    private void BecomeIdle()
    {
        SetState(_state.Dropped());
        _behavior = Behavior.Idle;
    }

    // ---- connect ----------------------------------------------------------------------------

    private void StartConnect(Connect command)
    {
        _caller = Sender;
        _cts = new CancellationTokenSource();
        _behavior = Behavior.Connecting;
        Apply(_state.ConnectStarted(Now));

        var generation = _state.Generation;
        if (command.Parameters is { } parameters)
        {
            Self.Tell(new ParametersResolved(generation, parameters));
        }
        else if (command.Provider is { } provider)
        {
            ResolveAsync(provider, _cts.Token).PipeTo(Self,
                success: p => new ParametersResolved(generation, p),
                failure: e => new ParametersFailed(generation, Describe(e)));
        }
        else
        {
            Self.Tell(new ParametersFailed(generation, "the Connect command has neither parameters nor a provider"));
        }
    }

    private async Task<ConnectionParameters> ResolveAsync(Func<CancellationToken, Task<ConnectionParameters>> provider, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_settings.ProviderTimeout);
        try
        {
            return await provider(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the parameter provider returned null");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"the parameter provider did not answer within {_settings.ProviderTimeout.TotalSeconds:0.#} s");
        }
    }

    private void OnParametersFailed(ParametersFailed message)
    {
        Apply(_state.ParametersFailed(message.Error, Now));
        FailConnect(message.Error, cause: null);
    }

    private void OnParametersResolved(ParametersResolved message)
    {
        var parameters = message.Parameters;
        Apply(_state.ParametersResolved(parameters, Now));
        var errors = parameters.Validate();
        if (errors.Count > 0)
        {
            FailConnect("invalid parameters: " + string.Join("; ", errors), cause: null);
            return;
        }
        SipServerTarget.TryParse(parameters.SipServerUrl, out var target, out _);
        var user = parameters.Register
            ? parameters.User!
            : Rng.Next(100000, 100000000).ToString(CultureInfo.InvariantCulture);
        var extra = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrWhiteSpace(parameters.RemoteAddress))
        {
            extra.Add(new("X-Vinteo-Remote", parameters.RemoteAddress.Trim()));
        }
        foreach (var header in parameters.ExtraHeaders)
        {
            var colon = header.IndexOf(':');
            extra.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }
        _callSetup = CallSessionSetup.For(parameters);
        _ua = new SipUserAgent(_stack, new SipUserAgentOptions
        {
            User = user,
            Domain = parameters.SipServerIp,
            Target = target!,
            Password = parameters.Password,
            DisplayName = parameters.NormalizedDisplayName.Length == 0 ? null : parameters.NormalizedDisplayName,
            Expires = parameters.RegisterExpires,
            UserAgent = parameters.UserAgent ?? _settings.DefaultUserAgent,
            ExtraHeaders = extra,
        });
        var self = Self;
        _ua.ConnectionLost += (ua, error) => self.Tell(new TransportLost(ua, error?.Message));
        if (!_ua.AttachRequestHandler(new AccountRequestHandler(Self)))
        {
            Log.Warning("Account {Account}: user {User} already has a handler in this process; incoming requests go there", _account, user);
        }
        StartAttempt();
    }

    /// <summary>One transport attempt: the first of a connect, or a recovery attempt after a loss. Under a supervisor it waits for a permit first.</summary>
    private void StartAttempt()
    {
        SetState(_state.AttemptDue());
        _behavior = Behavior.Connecting;
        if (_supervised)
        {
            Context.Parent.Tell(new ConnectPermitRequest(_account, _state.Generation));
            return;
        }
        Attempt();
    }

    private void Attempt()
    {
        var ua = _ua!;
        var generation = _state.Generation;
        Apply(_state.AttemptStarted(ua.Options.Target.ToString(), Now));
        ConnectWithTimeoutAsync(ua, (_cts ??= new CancellationTokenSource()).Token).PipeTo(Self,
            success: () => new TransportUp(generation),
            failure: e => new TransportFailed(generation, Describe(e)));
    }

    private async Task ConnectWithTimeoutAsync(SipUserAgent ua, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_settings.ConnectTimeout);
        try
        {
            await ua.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"{ua.Options.Target} did not connect within {_settings.ConnectTimeout.TotalSeconds:0.#} s");
        }
    }

    private void OnTransportUp()
    {
        var ua = _ua!;
        var parameters = _state.Parameters!;
        var configuration = new ConnectionConfiguration(parameters.SipServerIp, parameters.SipServerUrl, parameters.NormalizedDisplayName,
            parameters.Register, ua.Options.User, parameters.Password, ua.Contact, ua.LocalEndPoint?.ToString());
        Apply(_state.TransportOpened(configuration, ua.Options.Target.ToString(), ua.LocalEndPoint?.ToString(), Now));
        if (parameters.Register)
        {
            SendRegister(refresh: false);
        }
        else
        {
            CompleteConnect();
        }
    }

    private void SendRegister(bool refresh, IActorRef? replyTo = null)
    {
        _registerSentAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var generation = _state.Generation;
        var contact = _ua!.Contact ?? "";
        _registering = _ua.RegisterAsync();
        _registering.PipeTo(Self,
            success: r => new RegistrationDone(generation, r, refresh, replyTo),
            failure: e => new RegistrationDone(generation, new RegistrationResult
            {
                Success = false, Cause = RegistrationFailureCause.ConnectionError, Contact = contact, Error = Describe(e),
            }, refresh, replyTo));
    }

    private void OnRegisterCommand()
    {
        if (_state.DecideRegister() is { } answer)
        {
            Sender.Tell(answer);
            return;
        }
        // A registration already under way (a refresh retry) answers this command too when it lands.
        CancelRefresh();
        SendRegister(refresh: false, replyTo: Sender);
    }

    private void OnUnregisterCommand()
    {
        if (_state.DecideUnregister() is { } answer)
        {
            Sender.Tell(answer);
            return;
        }
        CancelRefresh();
        var generation = _state.Generation;
        var replyTo = Sender;
        _ua!.UnregisterAsync().PipeTo(Self,
            success: r => new UnregistrationDone(generation, r, replyTo),
            failure: e => new UnregistrationDone(generation, new RegistrationResult
            {
                Success = false, Cause = RegistrationFailureCause.ConnectionError, Contact = "", Error = Describe(e),
            }, replyTo));
    }

    private void OnUnregistrationDone(UnregistrationDone message)
    {
        var r = message.Result;
        Apply(_state.RegistrationEnded(r, Now));
        // The binding is gone either way from this account's point of view: a failed un-REGISTER
        // lets it expire at the server. The caller hears which.
        message.ReplyTo.Tell(r.Success
            ? new CommandResult(_account, CommandStatus.Ok)
            : new CommandResult(_account, CommandStatus.Failed, r.Error ?? $"un-REGISTER failed: {r.StatusCode} {r.ReasonPhrase}".Trim()));
    }

    private void OnRegistrationDone(RegistrationDone message)
    {
        if (_registering is { IsCompleted: true })
        {
            // A finished async method's task keeps its state machine, request and response with it:
            // 2 KB per idle account if held.
            _registering = null;
        }
        var result = message.Result;
        if (result.Success)
        {
            var isRefresh = message.Refresh && _state.Registered;
            (isRefresh ? SipActorsMetrics.RefreshesCounter : SipActorsMetrics.RegistrationsCounter).Add(1);
            if (_ua is { } ua)
            {
                SipActorsMetrics.RecordRegistration(System.Diagnostics.Stopwatch.GetElapsedTime(_registerSentAt), isRefresh, ua.Options.Target.Kind);
            }
            _refreshFailures = 0;
            Apply(_state.RegistrationSucceeded(result, Now));
            ScheduleRefresh(RefreshPolicy.NextRefresh(Math.Max(1, result.GrantedExpires), Rng));
            if (message.ReplyTo is { } replyTo)
            {
                replyTo.Tell(new CommandResult(_account, CommandStatus.Ok));
            }
            else if (!message.Refresh)
            {
                CompleteConnect();
            }
            return;
        }

        var cause = result.Cause!.Value;
        var causeTag = new KeyValuePair<string, object?>("cause", cause.ToDisplayName());
        SipActorsMetrics.RegistrationFailuresCounter.Add(1, causeTag);
        if (message.Refresh)
        {
            SipActorsMetrics.RefreshFailuresCounter.Add(1, causeTag);
            OnRefreshFailed(result, cause);
            return;
        }
        Apply(_state.RegistrationFailed(result.StatusCode, cause, Now));
        if (message.ReplyTo is { } commandCaller)
        {
            // A Register command that failed: the transport stays up, registration is its sub-state (CONTRACT.md §5.3).
            commandCaller.Tell(new CommandResult(_account, CommandStatus.Failed, result.Error ?? $"registration failed: {result.StatusCode} {result.ReasonPhrase}".Trim()));
            return;
        }
        if (_state.Recovering)
        {
            // A recovery attempt that cannot register: retry later, unless the server refuses us outright.
            ScheduleRecoveryOrGiveUp(cause);
            return;
        }
        FailConnect(result.Error ?? $"registration failed: {result.StatusCode} {result.ReasonPhrase}".Trim(), cause.ToDisplayName());
    }

    private void CompleteConnect()
    {
        // Nothing of this connect is left to cancel: let its source go (with the registration its
        // timeout left behind, ~200 bytes an idle account would otherwise hold). A recovery attempt makes a new one.
        _cts = null;
        ReleasePermit();
        _behavior = Behavior.Connected;
        var recovered = _state.Recovering;
        Apply(_state.ConnectCompleted(Now));
        if (!recovered)
        {
            _caller?.Tell(new CommandResult(_account, CommandStatus.Ok));
            _caller = null;
        }
        Stash.UnstashAll();
    }

    private void OnTransportFailed(string error)
    {
        if (_state.Recovering)
        {
            ScheduleRecoveryOrGiveUp(RegistrationFailureCause.ConnectionError);
            return;
        }
        FailConnect(error, RegistrationFailureCause.ConnectionError.ToDisplayName());
    }

    private void FailConnect(string error, string? cause)
    {
        ReleasePermit();
        Apply(_state.ConnectFailed(error, cause, Now));
        var caller = _caller;
        _caller = null;
        var failed = new CommandResult(_account, CommandStatus.Failed, error);
        if (_state.TransportUp)
        {
            // The caller hears of the failure once the account has settled, after its teardown events.
            StartTeardown(caller, failed);
            return;
        }
        caller?.Tell(failed);
        DropUserAgent();
        BecomeIdle();
        Stash.UnstashAll();
    }

    private void Supersede(Connect command)
    {
        _caller?.Tell(new CommandResult(_account, CommandStatus.Superseded, "a newer Connect superseded this one"));
        _caller = null;
        Stash.Stash();
        if (_state.TransportUp)
        {
            StartTeardown(null);
            return;
        }
        DropUserAgent();
        BecomeIdle();
        Stash.UnstashAll();
    }

    private void OnDisconnectWhileConnecting(Disconnect command)
    {
        _caller?.Tell(new CommandResult(_account, CommandStatus.Superseded, "a Disconnect cancelled this connect"));
        _caller = null;
        StartTeardown(Sender);
    }

    // ---- requests outside dialogs ----------------------------------------------------------

    private void OnSendMessage(SendMessage command)
    {
        if (!OutOfDialogClient.IsValidTarget(command.Target, out var error) || string.IsNullOrWhiteSpace(command.ContentType))
        {
            Sender.Tell(new CommandResult(_account, CommandStatus.Failed, error ?? "ContentType is required"));
            return;
        }
        var ua = _ua!;
        Publish(new NewMessage(_account, Now, "local", ua.AddressOfRecord, command.Target, command.ContentType, command.Body));
        ua.SendMessageAsync(command.Target, Encoding.UTF8.GetBytes(command.Body), command.ContentType)
            .PipeTo(Sender, success: ToResult, failure: e => new CommandResult(_account, CommandStatus.Failed, Describe(e)));
    }

    private void SendOptionsTo(string target)
    {
        if (!OutOfDialogClient.IsValidTarget(target, out var error))
        {
            Sender.Tell(new CommandResult(_account, CommandStatus.Failed, error));
            return;
        }
        OptionsWithTimeoutAsync(_ua!, target, _settings.OptionsTimeout)
            .PipeTo(Sender, success: ToResult, failure: e => new CommandResult(_account, CommandStatus.Failed, Describe(e)));
    }

    private static async Task<SipRequestOutcome> OptionsWithTimeoutAsync(SipUserAgent ua, string target, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await ua.SendOptionsAsync(target, cts.Token).ConfigureAwait(false);
    }

    private CommandResult ToResult(SipRequestOutcome outcome)
        => new(_account, outcome.Success ? CommandStatus.Ok : CommandStatus.Failed, outcome.Error) { StatusCode = outcome.StatusCode };

    // ---- registered life --------------------------------------------------------------------

    private void Refresh()
    {
        if (_ua is null)
        {
            return;
        }
        SendRegister(refresh: true);
    }

    private void OnRefreshFailed(RegistrationResult result, RegistrationFailureCause cause)
    {
        Apply(_state.RegistrationEnded(result, Now));
        // 401/403 mean the server refuses us: say so and stop. Anything else is retried with
        // backoff, honouring Retry-After (CONTRACT.md §5.6).
        if (cause is RegistrationFailureCause.AuthenticationError or RegistrationFailureCause.Rejected)
        {
            Log.Warning("Account {Account}: refresh refused ({Cause}); not retrying", _account, cause.ToDisplayName());
            return;
        }
        var delay = result.RetryAfter ?? _state.Backoff(++_refreshFailures, Rng.NextDouble());
        ScheduleRefresh(delay);
    }

    private void OnTransportLost(string? error)
    {
        CancelRefresh();
        Apply(_state.TransportLost(error ?? "connection lost", Now));
        _ = _ua?.DisconnectAsync();
        ScheduleRecoveryOrGiveUp(RegistrationFailureCause.ConnectionError);
    }

    private void ScheduleRecoveryOrGiveUp(RegistrationFailureCause cause)
    {
        ReleasePermit();
        if (cause is RegistrationFailureCause.AuthenticationError or RegistrationFailureCause.Rejected)
        {
            Log.Warning("Account {Account}: recovery stopped, the server refuses the account ({Cause})", _account, cause.ToDisplayName());
            _ = _ua?.DisconnectAsync();
            Apply(_state.RecoveryAbandoned(cause, Now));
            DropUserAgent();
            BecomeIdle();
            Stash.UnstashAll();
            return;
        }
        _ = _ua?.DisconnectAsync();
        SetState(_state.RecoveryScheduled());
        _behavior = Behavior.Recovering;
        _recoveryStamp = NextStamp();
        _recoveryTimer?.Cancel();
        _recoveryTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(_state.Backoff(_state.Attempt, Rng.NextDouble()), Self, new RecoveryTick(_recoveryStamp), Self);
        Stash.UnstashAll();
    }

    // ---- incoming requests ------------------------------------------------------------------

    private void OnIncomingRequest(AccountRequestHandler.IncomingRequest message)
    {
        var transaction = message.Transaction;
        var request = transaction.Request;
        var tag = SipIdentifiers.NewTag();
        switch (request.Method)
        {
            case SipMethod.Message:
                _ = transaction.RespondAsync(transaction.CreateResponse(200, toTag: tag));
                Publish(new NewMessage(_account, Now, "remote", request.From?.UriText ?? "", request.To?.UriText ?? "",
                    request.ContentType, Encoding.UTF8.GetString(request.Body.Span)));
                break;
            case SipMethod.Notify:
                _ = transaction.RespondAsync(transaction.CreateResponse(200, toTag: tag));
                var evt = request.Event;
                Publish(new SipEvent(_account, Now, evt?.Package ?? "", evt?.Id, request.ContentType, Encoding.UTF8.GetString(request.Body.Span))
                {
                    EventParameters = evt?.Parameters ?? [],
                    Request = request,
                });
                break;
            case SipMethod.Invite:
                OnIncomingCall(transaction, tag);
                break;
            default:
                _ = transaction.RespondAsync(transaction.CreateResponse(405, toTag: tag));
                break;
        }
    }

    // ---- calls ------------------------------------------------------------------------------

    private void PlaceCall(Call command)
    {
        if (!OutOfDialogClient.IsValidTarget(command.Target, out var error))
        {
            Sender.Tell(new CommandResult(_account, CommandStatus.Failed, error));
            return;
        }
        // The session actor answers the command once the INVITE is out, with the call's handle.
        Context.ActorOf(CallSessionActor.Outgoing(_account, _ua!, _callSetup!, command, Sender), NextCallName());
    }

    private void OnIncomingCall(SipServerTransaction invite, string tag)
    {
        var setup = _callSetup!;
        if (setup.Policy == IncomingCallPolicy.IgnoreEvent)
        {
            // The seed library's answer when nobody listens for calls; no event.
            _ = invite.RespondAsync(invite.CreateResponse(405, toTag: tag));
            return;
        }
        if (_ua is null || _state.Status is not (ConnectionStatus.Connected or ConnectionStatus.Registered))
        {
            _ = invite.RespondAsync(invite.CreateResponse(480, toTag: tag));
            return;
        }
        Context.ActorOf(CallSessionActor.Incoming(_account, _ua, setup, invite), NextCallName());
    }

    private string NextCallName() => "call-" + (++_callSequence).ToString(CultureInfo.InvariantCulture);

    /// <summary>Answer, Reject and HangUp by Call-ID: to the call's session actor, or answered here when the account has no such call.</summary>
    private void RouteToCall(IWithAccountId command)
    {
        var callId = command switch
        {
            Answer a => a.CallId,
            Reject r => r.CallId,
            HangUp h => h.CallId,
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
        if (_calls is not null && _calls.TryGetValue(callId, out var session))
        {
            session.Actor.Forward(command);
            return;
        }
        Sender.Tell(new CommandResult(_account, CommandStatus.Failed, $"the account has no call with Call-ID '{callId}' (it may have ended)"));
    }

    /// <summary>A call that crashes its session actor ends there (its PostStop hangs up); restarting it would place or accept the call again.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    // ---- disconnect -------------------------------------------------------------------------

    private void StartTeardown(IActorRef? replyTo, CommandResult? reply = null)
    {
        ReleasePermit();
        _cts?.Cancel();
        CancelRefresh();
        CancelRecovery();
        var wasRegistered = _state.Registered;
        _behavior = Behavior.Disconnecting;
        Apply(_state.TeardownStarted(Now));
        var generation = _state.Generation;
        var ua = _ua;
        TeardownAsync(ua, wasRegistered, _registering).PipeTo(Self,
            success: r => new TeardownDone(generation, replyTo, reply, r, wasRegistered),
            failure: e => new TeardownDone(generation, replyTo, reply, new RegistrationResult
            {
                Success = false, Cause = RegistrationFailureCause.ConnectionError, Contact = "", Error = Describe(e),
            }, wasRegistered));
    }

    private static async Task<RegistrationResult?> TeardownAsync(SipUserAgent? ua, bool registered, Task<RegistrationResult>? registering = null)
    {
        if (ua is null)
        {
            return null;
        }
        if (registering is { IsCompleted: false })
        {
            // A REGISTER still in flight may yet create a binding: wait for its answer (bounded by
            // Timer F) and remove what it made. Un-registering alongside it could race its
            // authenticated retry and leave the binding behind.
            try
            {
                registered |= (await registering.ConfigureAwait(false)).Success;
            }
#pragma warning disable CA1031 // its failure is the connect's to report; here only the binding matters
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        // Calls end with their BYE (or CANCEL) before the flow goes, not with a silent loss.
        ua.HangUpCalls();
        RegistrationResult? result = null;
        if (registered)
        {
            result = await ua.UnregisterAsync().ConfigureAwait(false);
        }
        await ua.DisposeAsync().ConfigureAwait(false);
        return result;
    }

    private void OnTeardownDone(TeardownDone message)
    {
        _ua = null;
        Apply(_state.TeardownFinished(message.WasRegistered, message.Unregistration, Now));
        message.ReplyTo?.Tell(message.Reply ?? new CommandResult(_account, CommandStatus.Ok));
        BecomeIdle();
        Stash.UnstashAll();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void DropUserAgent()
    {
        ReleasePermit();
        _cts?.Cancel();
        var ua = _ua;
        _ua = null;
        SetState(_state.Dropped());
        if (ua is not null)
        {
            _ = ua.DisposeAsync().AsTask();
        }
    }

    /// <summary>Tells the supervisor this attempt's slot is free (once per permit).</summary>
    private void ReleasePermit()
    {
        if (_holdingPermit)
        {
            _holdingPermit = false;
            Context.Parent.Tell(new ConnectAttemptFinished(_account));
        }
    }

    /// <summary>Moves to the transition's state, then publishes its events: the state is already updated when an event is seen (CONTRACT.md §2).</summary>
    private void Apply(AccountTransition transition)
    {
        SetState(transition.State);
        foreach (var connectionEvent in transition.Events)
        {
            Publish(connectionEvent);
        }
    }

    /// <summary>Moves to <paramref name="state"/>; a new status is reported to the supervisor, which keeps the counts.</summary>
    private void SetState(AccountState state)
    {
        var previous = _state.Status;
        _state = state;
        if (_supervised && state.Status != previous)
        {
            Context.Parent.Tell(new AccountStatusChanged(_account, state.Status));
        }
    }

    private void ReplyState() => Sender.Tell(_state.ToStateResult());

    private void ScheduleRefresh(TimeSpan delay)
    {
        _refreshStamp = NextStamp();
        _refreshTimer?.Cancel();
        _refreshTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(delay, Self, new RefreshTick(_refreshStamp), Self);
    }

    private void CancelRefresh()
    {
        _refreshStamp = 0;
        _refreshTimer?.Cancel();
        _refreshTimer = null;
    }

    private void CancelRecovery()
    {
        _recoveryStamp = 0;
        _recoveryTimer?.Cancel();
        _recoveryTimer = null;
    }

    /// <summary>Never 0, which means "no timer".</summary>
    private int NextStamp() => _lastStamp = _lastStamp == int.MaxValue ? 1 : _lastStamp + 1;

    private bool IgnoreStale(object message)
    {
        if (message is AccountRequestHandler.IncomingRequest incoming)
        {
            _ = incoming.Transaction.RespondAsync(incoming.Transaction.CreateResponse(480, toTag: SipIdentifiers.NewTag()));
            return true;
        }
        if (message is ConnectPermit && !_holdingPermit && _supervised)
        {
            // Granted to an attempt that was cancelled while it waited: hand the slot back, or the
            // supervisor would count it in flight forever.
            Context.Parent.Tell(new ConnectAttemptFinished(_account));
            return true;
        }
        // A result of a superseded attempt: dropped. Anything else is unhandled (dead letters, logs).
        return message is ConnectPermit or ParametersResolved or ParametersFailed or TransportUp or TransportFailed or TransportLost or RegistrationDone or TeardownDone or RefreshTick or RecoveryTick;
    }

    /// <summary>Publishes after the state changed; a subscriber that throws runs in its own actor and cannot reach us.</summary>
    private void Publish(ConnectionEvent connectionEvent) => Context.System.EventStream.Publish(connectionEvent);

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private static string Describe(Exception e) => (e is AggregateException { InnerException: { } inner } ? inner : e).Message;

    protected override void PreRestart(Exception reason, object message)
    {
        // A crash: the supervisor restarts this account and reconnects it with its last Connect.
        // The flow is dropped without an un-REGISTER: the binding (same instance and reg-id) is
        // taken over by the new registration, and an un-REGISTER racing it could remove it.
        _restartingAfter = reason;
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        if (_supervised)
        {
            Context.Parent.Tell(new AccountRestarted(_account));
        }
    }

    protected override void PostStop()
    {
        _refreshTimer?.Cancel();
        _recoveryTimer?.Cancel();
        _cts?.Cancel();
        var ua = _ua;
        var registered = _state.Registered;
        _ua = null;
        if (ua is not null)
        {
            if (_restartingAfter is { } reason)
            {
                _ = ua.DisposeAsync().AsTask();
                Apply(_state.Crashed(reason, Now));
            }
            else
            {
                // Removed: release the binding and the flow without waiting for it.
                _ = TeardownAsync(ua, registered, _registering);
            }
        }
        if (_supervised && _restartingAfter is null)
        {
            Context.Parent.Tell(new AccountStopped(_account));
        }
        base.PostStop();
    }
}
