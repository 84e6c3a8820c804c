namespace SipActors.Hosting;

/// <summary>
/// SipActors in a generic host, bound from the <c>SipActors</c> section of <c>IConfiguration</c>
/// (appsettings.json, environment variables such as <c>SipActors__ShutdownTimeout</c>). Every
/// setting is nullable: null keeps the value of the <c>sip-actors</c> HOCON (config.hocon's
/// default, or the actor system's own HOCON), which is named in each property's documentation.
/// Precedence, lowest first: config.hocon defaults, the actor system's HOCON, values set in code
/// (<c>WithSipActors(o =&gt; ...)</c>), then <c>IConfiguration</c>, so operators can override code.
/// </summary>
public sealed class SipActorsOptions
{
    /// <summary>The configuration section bound to these options.</summary>
    public const string SectionName = "SipActors";

    /// <summary>
    /// Accounts connected when the actor system starts, in addition to HOCON
    /// <c>sip-actors.accounts</c>. Ids must be unique across both.
    /// </summary>
    public List<SipAccountOptions> Accounts { get; set; } = [];

    /// <summary>Requested registration lifetime in seconds for accounts that set none (HOCON <c>sip-actors.register-expires</c>, 300).</summary>
    public int? RegisterExpires { get; set; }

    /// <summary>Lower bound of the randomized recovery backoff (HOCON <c>sip-actors.connection-recovery-min-interval</c>, 2 s).</summary>
    public TimeSpan? ConnectionRecoveryMinInterval { get; set; }

    /// <summary>Upper bound of the randomized recovery backoff (HOCON <c>sip-actors.connection-recovery-max-interval</c>, 6 s).</summary>
    public TimeSpan? ConnectionRecoveryMaxInterval { get; set; }

    /// <summary>A transport that is not up within this time fails the connect (HOCON <c>sip-actors.connect-timeout</c>, 10 s).</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Transport attempts per second across all accounts (HOCON <c>sip-actors.connect-rate-limit</c>, 2,000).</summary>
    public int? ConnectRateLimit { get; set; }

    /// <summary>Transport attempts in flight at once (HOCON <c>sip-actors.max-concurrent-connects</c>, 200).</summary>
    public int? MaxConcurrentConnects { get; set; }

    /// <summary>UDP socket receive buffer in bytes (HOCON <c>sip-actors.transport.udp.receive-buffer-size</c>, 8 MiB).</summary>
    public int? UdpReceiveBufferSize { get; set; }

    /// <summary>Longest wait of an <see cref="ISipAccounts"/> call for its answer, 60 s by default: a connect may take the connect timeout plus a REGISTER exchange (Timer F, 32 s).</summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>
    /// How long shutdown waits for every account to un-REGISTER, 30 s by default. The wait runs in
    /// CoordinatedShutdown's <c>service-unbind</c> phase, whose own timeout is raised to this value
    /// plus 5 s when it is set in code; a larger value from <c>IConfiguration</c> is cut to the
    /// phase's timeout (a warning says so), because Akka reads phase timeouts when the actor system starts.
    /// </summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>
    /// Events an <see cref="Events.ISipEvents"/> subscription holds for a slow reader, 10,000 by default.
    /// When full, the oldest event is dropped (and counted in <c>sipactors.events.dropped</c>): the
    /// event stream is never blocked, and a reader that catches up sees the newest states.
    /// </summary>
    public int? EventBufferCapacity { get; set; }

    /// <summary>How often the accounts-per-state gauge asks the supervisor for its counts, 5 s by default.</summary>
    public TimeSpan? StatusRefreshInterval { get; set; }

    /// <summary>Connect <see cref="Accounts"/> and HOCON <c>sip-actors.accounts</c> when the actor system starts, true by default.</summary>
    public bool? ConnectAccountsOnStart { get; set; }

    internal TimeSpan CommandTimeoutOrDefault => CommandTimeout ?? TimeSpan.FromSeconds(60);
    internal TimeSpan ShutdownTimeoutOrDefault => ShutdownTimeout ?? TimeSpan.FromSeconds(30);
    internal int EventBufferCapacityOrDefault => EventBufferCapacity ?? 10_000;
    internal TimeSpan StatusRefreshIntervalOrDefault => StatusRefreshInterval ?? TimeSpan.FromSeconds(5);

    /// <summary>A copy, so that code-set values can be layered under configuration without changing the caller's instance.</summary>
    internal SipActorsOptions Clone() => new()
    {
        Accounts = [.. Accounts.Select(a => a.Clone())],
        RegisterExpires = RegisterExpires,
        ConnectionRecoveryMinInterval = ConnectionRecoveryMinInterval,
        ConnectionRecoveryMaxInterval = ConnectionRecoveryMaxInterval,
        ConnectTimeout = ConnectTimeout,
        ConnectRateLimit = ConnectRateLimit,
        MaxConcurrentConnects = MaxConcurrentConnects,
        UdpReceiveBufferSize = UdpReceiveBufferSize,
        CommandTimeout = CommandTimeout,
        ShutdownTimeout = ShutdownTimeout,
        EventBufferCapacity = EventBufferCapacity,
        StatusRefreshInterval = StatusRefreshInterval,
        ConnectAccountsOnStart = ConnectAccountsOnStart,
    };
}
