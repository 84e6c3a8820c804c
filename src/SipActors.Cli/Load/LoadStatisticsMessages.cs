namespace SipActors.Cli.Load;

// What the load run asks its statistics actor, and what it answers.

/// <summary>Asks for a <see cref="LoadProgress"/> (once a second, for the progress view and the timeline).</summary>
internal sealed class GetLoadProgress
{
    public static readonly GetLoadProgress Instance = new();
    private GetLoadProgress() { }
}

/// <summary>Asks for the final <see cref="LoadStatistics"/>; sent after the un-registration, so every event is in.</summary>
internal sealed class GetLoadStatistics
{
    public static readonly GetLoadStatistics Instance = new();
    private GetLoadStatistics() { }
}

/// <summary>
/// An event the statistics only count by topic: a node's <c>connection:newRTCSession</c>, which
/// does not travel as its record (<c>load --cluster</c>).
/// </summary>
internal sealed record ObservedEvent(string Topic);

/// <summary>
/// The run so far: counts of accounts, and latency percentiles from a coarse histogram.
/// <see cref="Registered"/> counts accounts that reached <c>connection:registered</c> at least once.
/// </summary>
internal sealed record LoadProgress(
    int Registered,
    int Failed,
    int InFlight,
    int Unregistered,
    long Events,
    double LatencyP50Ms,
    double LatencyP99Ms)
{
    /// <summary>Accounts registered at this moment: up with <c>registered</c>, down with <c>unregistered</c>.</summary>
    public int RegisteredNow { get; init; }

    /// <summary>Registrations lost without being asked (transport lost, refresh refused).</summary>
    public int Losses { get; init; }

    /// <summary><c>registered</c> events after an account's first.</summary>
    public int Reregistrations { get; init; }

    /// <summary>Failed connects by cause, with the status for <c>SIP Failure Code</c>.</summary>
    public IReadOnlyDictionary<string, int> FailuresByCause { get; init; } = new Dictionary<string, int>();

    /// <summary>The account that failed last, for the live view; null when none failed.</summary>
    public FailedAccount? LatestFailure { get; init; }
}

/// <summary>Everything the report needs from the event stream; the latencies are exact, one per registered account.</summary>
internal sealed record LoadStatistics(
    int Registered,
    int Failed,
    int Unregistered,
    IReadOnlyDictionary<string, int> FailuresByCause,
    IReadOnlyDictionary<string, long> Events,
    double[] LatenciesMs,
    DateTimeOffset? FirstAttempt,
    DateTimeOffset? LastRegistered)
{
    public int Losses { get; init; }
    public int Reregistrations { get; init; }

    /// <summary>Cause → its first few distinct detail texts.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> FailureDetails { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The failed accounts kept, in the order they failed.</summary>
    public IReadOnlyList<FailedAccount> Failures { get; init; } = [];
}
