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

    public ConnectionStatus Status { get; init; } = ConnectionStatus.Disconnected;

    /// <summary>Which commands and results the account takes now.</summary>
    public AccountPhase Phase { get; init; } = AccountPhase.Idle;

    /// <summary>
    /// Bumped by every transport attempt and every teardown. Results of SIP work carry the number
    /// they were started under, so those of a superseded attempt are recognised and dropped.
    /// </summary>
    public int Generation { get; init; }

    public bool TransportUp { get; init; }

    public bool Registered { get; init; }

    /// <summary>Reconnecting after a loss: no <c>connect-*</c> events, retried with backoff.</summary>
    public bool Recovering { get; init; }

    /// <summary>Transport attempts of this connect so far (0 for the first).</summary>
    public int Attempt { get; init; }

    /// <summary>REGISTERs in a row that failed for a reason worth retrying (5xx, timeout): the retry backoff's exponent.</summary>
    public int RegistrationFailures { get; init; }

    /// <summary>A permit of the host is held (from its grant until the attempt or retry it was for ends).</summary>
    public bool HoldingPermit { get; init; }

    /// <summary>Who waits for the answer to the connect in progress (opaque: the actor's sender).</summary>
    public object? ConnectRequester { get; init; }

    public ConnectionParameters? Parameters { get; init; }

    /// <summary>Where the connect's flow goes, parsed once from the parameters' server URL.</summary>
    public SipServerTarget? Target { get; init; }

    public ConnectionConfiguration? Configuration { get; init; }

    public static AccountState Initial(AccountId account) => new() { Account = account };

    /// <summary>
    /// The account's answer to <paramref name="input"/>: the state it moves to and what its actor
    /// does then, in order. <paramref name="random"/> spreads refreshes, jitters backoffs and picks
    /// the user of a connect without registration.
    /// </summary>
    public AccountDecision Decide(AccountInput input, DateTimeOffset now, Random random, ConnectionActorSettings settings)
        => DecideInto(input, now, random, settings, new List<AccountEffect>(4));

    /// <summary>As <see cref="Decide"/>, filling <paramref name="effects"/> (emptied first): the actor reuses one list.</summary>
    internal AccountDecision DecideInto(AccountInput input, DateTimeOffset now, Random random, ConnectionActorSettings settings, List<AccountEffect> effects)
    {
        effects.Clear();
        return new AccountDecider(this, now, random, settings, effects).Decide(input);
    }

    // ---- connect ------------------------------------------------------------------------------

    /// <summary>A connect begins for <paramref name="requester"/>: a new generation, no retry counted yet.</summary>
    public AccountTransition ConnectStarted(DateTimeOffset now, object? requester = null)
        => Next(this with
        {
            Status = ConnectionStatus.Connecting, Phase = AccountPhase.Connecting, Generation = Generation + 1, Recovering = false, Attempt = 0,
            ConnectRequester = requester, RegistrationFailures = 0,
        }, new ConnectStarted(Account, now));

    public AccountTransition ParametersResolved(ConnectionParameters parameters, DateTimeOffset now, SipServerTarget? target = null)
        => Next(this with { Parameters = parameters, Target = target }, new ConnectParametersResolveSucceeded(Account, now, parameters));

    public AccountTransition ParametersFailed(string error, DateTimeOffset now)
        => Next(this, new ConnectParametersResolveFailed(Account, now, error));

    /// <summary>A transport attempt is due (the first, or a recovery): a new generation; under a supervisor it waits for a permit.</summary>
    public AccountState AttemptDue() => this with { Status = ConnectionStatus.Connecting, Phase = AccountPhase.Connecting, Generation = Generation + 1 };

    public AccountTransition AttemptStarted(string transportUri, DateTimeOffset now)
        => Next(this, new Connecting(Account, now, Attempt, transportUri));

    public AccountTransition TransportOpened(ConnectionConfiguration configuration, string transportUri, string? localEndPoint, DateTimeOffset now)
        => Next(this with { TransportUp = true, Status = ConnectionStatus.Connected, Configuration = configuration },
            new ConnectedWithConfiguration(Account, now, configuration),
            new Connected(Account, now, transportUri, localEndPoint));

    /// <summary>
    /// The connect is complete (transport up, and registered when asked): connected, its permit and
    /// requester let go; <c>connect-succeeded</c>, except for a recovery.
    /// </summary>
    public AccountTransition ConnectCompleted(DateTimeOffset now)
    {
        var next = this with { Phase = AccountPhase.Connected, Recovering = false, Attempt = 0, HoldingPermit = false, ConnectRequester = null };
        return Recovering ? Next(next) : Next(next, new ConnectSucceeded(Account, now, Configuration!));
    }

    public AccountTransition ConnectFailed(string error, string? cause, DateTimeOffset now)
        => Next(this, new ConnectFailed(Account, now, error, cause));

    /// <summary>The attempt ended without a flow to tear down (failed before the transport was up, or superseded).</summary>
    public AccountState Dropped() => this with { Status = ConnectionStatus.Disconnected, TransportUp = false, Registered = false };

    // ---- registration -------------------------------------------------------------------------

    /// <summary>A REGISTER got its 2xx: <c>registered</c> only when the account was not registered before (refreshes are silent).</summary>
    public AccountTransition RegistrationSucceeded(RegistrationResult result, DateTimeOffset now)
        => Registered
            ? Next(this with { Status = ConnectionStatus.Registered })
            : Next(this with { Registered = true, Status = ConnectionStatus.Registered },
                new Registered(Account, now, result.StatusCode ?? 200, result.ReasonPhrase ?? "OK", result.GrantedExpires, result.Contact));

    public AccountTransition RegistrationFailed(int? statusCode, RegistrationFailureCause cause, DateTimeOffset now)
        => Next(this, new RegistrationFailed(Account, now, statusCode, cause.ToDisplayName()));

    /// <summary>The binding ended with the transport still up (a refresh rejected, an un-REGISTER): <c>unregistered</c> if it was registered.</summary>
    public AccountTransition RegistrationEnded(RegistrationResult result, DateTimeOffset now)
        => Registered
            ? Next(this with { Registered = false, Status = ConnectionStatus.Connected }, new Unregistered(Account, now, result.StatusCode, UnregisteredCause(result)))
            : Next(this);

    // ---- loss and recovery --------------------------------------------------------------------

    /// <summary>The flow broke: <c>disconnected</c> (once per loss), <c>unregistered</c> if it was registered; recovery follows.</summary>
    public AccountTransition TransportLost(string reason, DateTimeOffset now)
    {
        var next = this with { TransportUp = false, Registered = false, Status = ConnectionStatus.Connecting, Recovering = true };
        return Registered
            ? Next(next, new Disconnected(Account, now, true, reason), new Unregistered(Account, now, null, RegistrationFailureCause.ConnectionError.ToDisplayName()))
            : Next(next, new Disconnected(Account, now, true, reason));
    }

    public AccountState RecoveryScheduled() => this with { TransportUp = false, Attempt = Attempt + 1 };

    /// <summary>The server refuses the account (401/403): recovery stops and says why.</summary>
    public AccountTransition RecoveryAbandoned(RegistrationFailureCause cause, DateTimeOffset now)
        => Next(this with { Recovering = false, TransportUp = false, Registered = false, Status = ConnectionStatus.Disconnected },
            new Disconnected(Account, now, true, cause.ToDisplayName()));

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
        => Next(this with { Status = ConnectionStatus.Disconnecting, Generation = Generation + 1, Recovering = false },
            new Disconnecting(Account, now));

    /// <summary>
    /// The teardown finished: <c>unregistered</c> (after the un-REGISTER's answer or its failure)
    /// when the account was registered as the teardown began, then <c>disconnected</c>.
    /// </summary>
    public AccountTransition TeardownFinished(bool wasRegistered, RegistrationResult? unregistration, DateTimeOffset now)
    {
        var next = this with { Status = ConnectionStatus.Disconnected, TransportUp = false, Registered = false };
        var disconnected = new Disconnected(Account, now, false, "disconnect");
        return wasRegistered
            ? Next(next, new Unregistered(Account, now, unregistration?.StatusCode,
                unregistration is null ? RegistrationFailureCause.ConnectionError.ToDisplayName() : UnregisteredCause(unregistration)), disconnected)
            : Next(next, disconnected);
    }

    public ConnectionStateResult ToStateResult() => new(Account, Status, Configuration);

    private static string UnregisteredCause(RegistrationResult result)
        => result.Success ? "Unregistered" : result.Cause?.ToDisplayName() ?? RegistrationFailureCause.ConnectionError.ToDisplayName();

    private static AccountTransition Next(AccountState state, params ConnectionEvent[] events) => new(state, events);
}
