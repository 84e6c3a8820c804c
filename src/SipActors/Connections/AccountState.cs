using SipActors.Events;
using SipActors.Sip.Registration;
using SipActors.Sip.Transports;

namespace SipActors.Connections;

/// <summary>
/// One account as a value (STYLE.md §3): its phase and status, whether its flow is up and it is
/// registered, whether it is recovering, the parameters and configuration of its connect, who
/// waits for that connect, and the counters its retries back off by. <see cref="Decide"/> takes
/// an input (a command, or a result of the actor's work) and returns the next state with the
/// effects to carry out, <c>connection:*</c> events among them in CONTRACT.md §2's order. No
/// Akka, no I/O, no clock: <see cref="ConnectionActor"/> performs the effects and passes the time in.
/// </summary>
public sealed record AccountState
{
    public required AccountId Account { get; init; }

    public ConnectionStatus Status { get => _status; init => _status = value; }

    /// <summary>Which commands and results the account takes now.</summary>
    public AccountPhase Phase { get => _phase; init => _phase = value; }

    /// <summary>
    /// Bumped by every transport attempt and every teardown. Results of SIP work carry the number
    /// they were started under, so those of a superseded attempt are recognised and dropped.
    /// </summary>
    public int Generation { get => _generation; init => _generation = value; }

    public bool TransportUp { get => _transportUp; init => _transportUp = value; }

    public bool Registered { get => _registered; init => _registered = value; }

    /// <summary>Reconnecting after a loss: no <c>connect-*</c> events, retried with backoff.</summary>
    public bool Recovering { get => _recovering; init => _recovering = value; }

    /// <summary>Transport attempts of this connect so far (0 for the first).</summary>
    public int Attempt { get => _attempt; init => _attempt = value; }

    /// <summary>REGISTERs in a row that failed for a reason worth retrying (5xx, timeout): the retry backoff's exponent.</summary>
    public int RegistrationFailures { get => _registrationFailures; init => _registrationFailures = value; }

    /// <summary>A permit of the host is held (from its grant until the attempt or retry it was for ends).</summary>
    public bool HoldingPermit { get => _holdingPermit; init => _holdingPermit = value; }

    /// <summary>Who waits for the answer to the connect in progress (opaque: the actor's sender).</summary>
    public object? ConnectRequester { get => _connectRequester; init => _connectRequester = value; }

    public ConnectionParameters? Parameters { get => _parameters; init => _parameters = value; }

    /// <summary>Where the connect's flow goes, parsed once from the parameters' server URL.</summary>
    public SipServerTarget? Target { get => _target; init => _target = value; }

    public ConnectionConfiguration? Configuration { get => _configuration; init => _configuration = value; }

    public static AccountState Initial(AccountId account) => new() { Account = account };

    // The properties' values, written in place while the account's own decision runs on it (see
    // Edit). One copy of the record per transition was ~0.8 KB of every registration.
    private ConnectionStatus _status = ConnectionStatus.Disconnected;
    private AccountPhase _phase = AccountPhase.Idle;
    private int _generation;
    private bool _transportUp;
    private bool _registered;
    private bool _recovering;
    private int _attempt;
    private int _registrationFailures;
    private bool _holdingPermit;
    private object? _connectRequester;
    private ConnectionParameters? _parameters;
    private SipServerTarget? _target;
    private ConnectionConfiguration? _configuration;

    /// <summary>True only while a decision runs on this instance: its transitions then change it in place.</summary>
    private bool _editable;

    /// <summary>The instance a transition writes to: this one while a decision owns it, else a copy (a state seen by others never changes).</summary>
    private AccountState Edit() => _editable ? this : this with { };

    /// <summary>
    /// The account's answer to <paramref name="input"/>: the state it moves to and what its actor
    /// does then, in order. <paramref name="random"/> spreads refreshes, jitters backoffs and picks
    /// the user of a connect without registration. This state is left as it is: the decision works on a copy.
    /// </summary>
    public AccountDecision Decide(AccountInput input, DateTimeOffset now, Random random, ConnectionActorSettings settings)
        => (this with { }).DecideInPlace(input, now, random, settings, new List<AccountEffect>(4));

    /// <summary>
    /// As <see cref="Decide"/>, on this instance, filling <paramref name="effects"/> (emptied first): for
    /// the actor, which owns its state and never shows it to anyone, so the decision's transitions change
    /// it in place instead of copying the record at each step. The decided state is this instance.
    /// </summary>
    internal AccountDecision DecideInPlace(AccountInput input, DateTimeOffset now, Random random, ConnectionActorSettings settings, List<AccountEffect> effects)
    {
        effects.Clear();
        _editable = true;
        try
        {
            var decision = new AccountDecider(this, now, random, settings, effects).Decide(input);
            decision.State._editable = false;
            return decision;
        }
        finally
        {
            _editable = false;
        }
    }

    // ---- connect ------------------------------------------------------------------------------

    /// <summary>A connect begins for <paramref name="requester"/>: a new generation, no retry counted yet.</summary>
    public AccountTransition ConnectStarted(DateTimeOffset now, object? requester = null)
    {
        var next = Edit();
        (next._status, next._phase, next._generation, next._recovering, next._attempt, next._connectRequester, next._registrationFailures)
            = (ConnectionStatus.Connecting, AccountPhase.Connecting, _generation + 1, false, 0, requester, 0);
        return new(next, new ConnectStarted(Account, now));
    }

    public AccountTransition ParametersResolved(ConnectionParameters parameters, DateTimeOffset now, SipServerTarget? target = null)
    {
        var next = Edit();
        (next._parameters, next._target) = (parameters, target);
        return new(next, new ConnectParametersResolveSucceeded(Account, now, parameters));
    }

    public AccountTransition ParametersFailed(string error, DateTimeOffset now)
        => new(this, new ConnectParametersResolveFailed(Account, now, error));

    /// <summary>A transport attempt is due (the first, or a recovery): a new generation; under a supervisor it waits for a permit.</summary>
    public AccountState AttemptDue()
    {
        var next = Edit();
        (next._status, next._phase, next._generation) = (ConnectionStatus.Connecting, AccountPhase.Connecting, _generation + 1);
        return next;
    }

    public AccountTransition AttemptStarted(string transportUri, DateTimeOffset now)
        => new(this, new Connecting(Account, now, Attempt, transportUri));

    public AccountTransition TransportOpened(ConnectionConfiguration configuration, string transportUri, string? localEndPoint, DateTimeOffset now)
    {
        var next = Edit();
        (next._transportUp, next._status, next._configuration) = (true, ConnectionStatus.Connected, configuration);
        return new(next, new ConnectedWithConfiguration(Account, now, configuration), new Connected(Account, now, transportUri, localEndPoint));
    }

    /// <summary>
    /// The connect is complete (transport up, and registered when asked): connected, its permit and
    /// requester let go; <c>connect-succeeded</c>, except for a recovery.
    /// </summary>
    public AccountTransition ConnectCompleted(DateTimeOffset now)
    {
        var recovering = _recovering;
        var next = Edit();
        (next._phase, next._recovering, next._attempt, next._holdingPermit, next._connectRequester) = (AccountPhase.Connected, false, 0, false, null);
        return recovering ? new(next) : new(next, new ConnectSucceeded(Account, now, next._configuration!));
    }

    public AccountTransition ConnectFailed(string error, string? cause, DateTimeOffset now)
        => new(this, new ConnectFailed(Account, now, error, cause));

    /// <summary>The attempt ended without a flow to tear down (failed before the transport was up, or superseded).</summary>
    public AccountState Dropped()
    {
        var next = Edit();
        (next._status, next._transportUp, next._registered) = (ConnectionStatus.Disconnected, false, false);
        return next;
    }

    // ---- registration -------------------------------------------------------------------------

    /// <summary>A REGISTER got its 2xx: <c>registered</c> only when the account was not registered before (refreshes are silent).</summary>
    public AccountTransition RegistrationSucceeded(RegistrationResult result, DateTimeOffset now)
    {
        var wasRegistered = _registered;
        var next = Edit();
        (next._registered, next._status) = (true, ConnectionStatus.Registered);
        return wasRegistered
            ? new(next)
            : new(next, new Registered(Account, now, result.StatusCode ?? 200, result.ReasonPhrase ?? "OK", result.GrantedExpires, result.Contact));
    }

    public AccountTransition RegistrationFailed(int? statusCode, RegistrationFailureCause cause, DateTimeOffset now)
        => new(this, new RegistrationFailed(Account, now, statusCode, cause.ToDisplayName()));

    /// <summary>The binding ended with the transport still up (a refresh rejected, an un-REGISTER): <c>unregistered</c> if it was registered.</summary>
    public AccountTransition RegistrationEnded(RegistrationResult result, DateTimeOffset now)
    {
        if (!_registered)
        {
            return new(this);
        }
        var next = Edit();
        (next._registered, next._status) = (false, ConnectionStatus.Connected);
        return new(next, new Unregistered(Account, now, result.StatusCode, UnregisteredCause(result)));
    }

    // ---- loss and recovery --------------------------------------------------------------------

    /// <summary>The flow broke: <c>disconnected</c> (once per loss), <c>unregistered</c> if it was registered; recovery follows.</summary>
    public AccountTransition TransportLost(string reason, DateTimeOffset now)
    {
        var wasRegistered = _registered;
        var next = Edit();
        (next._transportUp, next._registered, next._status, next._recovering) = (false, false, ConnectionStatus.Connecting, true);
        return wasRegistered
            ? new(next, new Disconnected(Account, now, true, reason), new Unregistered(Account, now, null, RegistrationFailureCause.ConnectionError.ToDisplayName()))
            : new(next, new Disconnected(Account, now, true, reason));
    }

    public AccountState RecoveryScheduled()
    {
        var next = Edit();
        (next._transportUp, next._attempt) = (false, _attempt + 1);
        return next;
    }

    /// <summary>The server refuses the account (401/403): recovery stops and says why.</summary>
    public AccountTransition RecoveryAbandoned(RegistrationFailureCause cause, DateTimeOffset now)
    {
        var next = Edit();
        (next._recovering, next._transportUp, next._registered, next._status) = (false, false, false, ConnectionStatus.Disconnected);
        return new(next, new Disconnected(Account, now, true, cause.ToDisplayName()));
    }

    /// <summary>
    /// Randomized exponential backoff between the recovery bounds of the parameters (CONTRACT.md
    /// §3, §5.8) for <paramref name="attempt"/>; <paramref name="unit"/> is a random number in [0, 1).
    /// </summary>
    public TimeSpan Backoff(int attempt, double unit)
    {
        var min = Parameters?.ConnectionRecoveryMinInterval ?? 2;
        var max = Parameters?.ConnectionRecoveryMaxInterval ?? 6;
        var ceiling = Math.Min(max, min * Math.Pow(2, Math.Max(0, attempt - 1)));
        return TimeSpan.FromSeconds(min + unit * (ceiling - min));
    }

    /// <summary>The account crashed and restarts: the same events as a transport loss, so observers' view stays consistent.</summary>
    public AccountTransition Crashed(Exception reason, DateTimeOffset now)
    {
        var events = new List<ConnectionEvent>(2);
        if (TransportUp)
        {
            events.Add(new Disconnected(Account, now, true, $"account restarted after a failure: {reason.GetType().Name}: {reason.Message}"));
        }
        if (Registered)
        {
            events.Add(new Unregistered(Account, now, null, RegistrationFailureCause.ConnectionError.ToDisplayName()));
        }
        return new AccountTransition(this with { TransportUp = false, Registered = false, Status = ConnectionStatus.Disconnected }, events);
    }

    // ---- disconnect ---------------------------------------------------------------------------

    public AccountTransition TeardownStarted(DateTimeOffset now)
    {
        var next = Edit();
        (next._status, next._generation, next._recovering) = (ConnectionStatus.Disconnecting, _generation + 1, false);
        return new(next, new Disconnecting(Account, now));
    }

    /// <summary>
    /// The teardown finished: <c>unregistered</c> (after the un-REGISTER's answer or its failure)
    /// when the account was registered as the teardown began, then <c>disconnected</c>.
    /// </summary>
    public AccountTransition TeardownFinished(bool wasRegistered, RegistrationResult? unregistration, DateTimeOffset now)
    {
        var next = Edit();
        (next._status, next._transportUp, next._registered) = (ConnectionStatus.Disconnected, false, false);
        var disconnected = new Disconnected(Account, now, false, "disconnect");
        return wasRegistered
            ? new(next, new Unregistered(Account, now, unregistration?.StatusCode,
                unregistration is null ? RegistrationFailureCause.ConnectionError.ToDisplayName() : UnregisteredCause(unregistration)), disconnected)
            : new(next, disconnected);
    }

    // ---- the decider's own steps (no events) -------------------------------------------------

    internal AccountState WithRequester(object? requester)
    {
        var next = Edit();
        next._connectRequester = requester;
        return next;
    }

    internal AccountState WithPermit(bool holding)
    {
        var next = Edit();
        next._holdingPermit = holding;
        return next;
    }

    internal AccountState WithRegistrationFailures(int failures)
    {
        var next = Edit();
        next._registrationFailures = failures;
        return next;
    }

    internal AccountState InPhase(AccountPhase phase)
    {
        var next = Edit();
        next._phase = phase;
        return next;
    }

    internal AccountState AsRecovering()
    {
        var next = Edit();
        (next._phase, next._recovering) = (AccountPhase.Recovering, true);
        return next;
    }

    public ConnectionStateResult ToStateResult() => new(Account, Status, Configuration);

    private static string UnregisteredCause(RegistrationResult result)
        => result.Success ? "Unregistered" : result.Cause?.ToDisplayName() ?? RegistrationFailureCause.ConnectionError.ToDisplayName();
}
