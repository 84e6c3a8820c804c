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

/// <summary>The run so far: counts of accounts, and latency percentiles from a coarse histogram.</summary>
internal sealed record LoadProgress(
    int Registered,
    int Failed,
    int InFlight,
    int Unregistered,
    long Events,
    double LatencyP50Ms,
    double LatencyP99Ms);

/// <summary>Everything the report needs from the event stream; the latencies are exact, one per registered account.</summary>
internal sealed record LoadStatistics(
    int Registered,
    int Failed,
    int Unregistered,
    IReadOnlyDictionary<string, int> FailuresByCause,
    IReadOnlyDictionary<string, long> Events,
    double[] LatenciesMs,
    DateTimeOffset? FirstAttempt,
    DateTimeOffset? LastRegistered);
