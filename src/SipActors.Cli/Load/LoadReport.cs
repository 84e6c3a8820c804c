using System.Text.Json.Serialization;

namespace SipActors.Cli.Load;

/// <summary>
/// The outcome of one <c>sipactors load</c> run, written as JSON (<c>--report</c>) and as HTML
/// (<c>--html</c>). The first keys are the summary a script reads; the rest feed the charts.
/// </summary>
public sealed record LoadReport
{
    /// <summary>Failed accounts listed in <see cref="Failures"/>; <c>--failures FILE.csv</c> has all of them.</summary>
    public const int FailuresShown = 20;

    /// <summary>Accounts the run was asked to register.</summary>
    [JsonPropertyName("accounts")] public required int Accounts { get; init; }

    /// <summary>Accounts that reached <c>connection:registered</c> at least once.</summary>
    [JsonPropertyName("registered")] public required int Registered { get; init; }

    /// <summary>
    /// Accounts registered at the end of the hold, just before the un-registration: what the
    /// server holds, with the registrations lost on the way (and not yet back) taken off.
    /// </summary>
    [JsonPropertyName("registeredAtHoldEnd")] public int RegisteredAtHoldEnd { get; init; }

    /// <summary>Registrations lost without being asked (<c>connection:unregistered</c> outside a disconnect: transport lost, refresh refused).</summary>
    [JsonPropertyName("losses")] public int Losses { get; init; }

    /// <summary><c>connection:registered</c> events after an account's first: registrations back after a loss.</summary>
    [JsonPropertyName("reregistrations")] public int Reregistrations { get; init; }

    /// <summary>Accounts whose connect failed (never registered).</summary>
    [JsonPropertyName("failed")] public required int Failed { get; init; }

    /// <summary>
    /// Failure cause (e.g. <c>Authentication Error</c>, <c>Request Timeout</c>) → accounts; the
    /// catch-all <c>SIP Failure Code</c> is counted per status, e.g. <c>SIP Failure Code (503)</c>.
    /// </summary>
    [JsonPropertyName("failuresByCause")] public required IReadOnlyDictionary<string, int> FailuresByCause { get; init; }

    /// <summary>Cause → its first few distinct detail texts (the error the accounts reported, e.g. a TLS validation error).</summary>
    [JsonPropertyName("failureDetails")] public IReadOnlyDictionary<string, IReadOnlyList<string>> FailureDetails { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The first <see cref="FailuresShown"/> failed accounts, in the order they failed.</summary>
    [JsonPropertyName("failures")] public IReadOnlyList<FailedAccount> Failures { get; init; } = [];

    /// <summary>Successful initial registrations per second over the ramp (first connect to last registered).</summary>
    [JsonPropertyName("registrationRate")] public required double RegistrationRate { get; init; }

    /// <summary>An account's first transport attempt (once it got its turn under the rate and concurrency bounds) to <c>registered</c>, milliseconds.</summary>
    [JsonPropertyName("latencyMs")] public required LatencySummary LatencyMs { get; init; }

    /// <summary>Successful registration refreshes while holding.</summary>
    [JsonPropertyName("refreshes")] public required long Refreshes { get; init; }

    /// <summary>Refreshes that failed (rejected or timed out).</summary>
    [JsonPropertyName("refreshFailures")] public required long RefreshFailures { get; init; }

    /// <summary>Requests and responses the SIP stack sent again (UDP retransmissions, RFC 3261 §17): a server that drops or answers late shows here first.</summary>
    [JsonPropertyName("retransmissions")] public long Retransmissions { get; init; }

    /// <summary>Client transactions that got no final response (Timer F or B).</summary>
    [JsonPropertyName("transactionTimeouts")] public long TransactionTimeouts { get; init; }

    /// <summary>REGISTERs sent by kind: initial, challenged (sent again with credentials after a 401/407), refresh, unregister, retry (after a 423 or 400).</summary>
    [JsonPropertyName("registersSent")] public IReadOnlyDictionary<string, long> RegistersSent { get; init; } = new Dictionary<string, long>();

    /// <summary>Method → status code → responses received (retransmitted ones included), e.g. <c>REGISTER</c> → <c>401</c> → 10000.</summary>
    [JsonPropertyName("responsesByStatus")] public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ResponsesByStatus { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, long>>();

    /// <summary>Client transactions that failed (see <c>--trace-errors</c>, which counts and writes them); null when not traced.</summary>
    [JsonPropertyName("failedTransactions")] public long? FailedTransactions { get; init; }

    /// <summary>Accounts whose un-REGISTER was answered with 2xx at the end of the run.</summary>
    [JsonPropertyName("unregistered")] public required int Unregistered { get; init; }

    /// <summary>The whole run, ramp + hold + un-registration, seconds.</summary>
    [JsonPropertyName("durationSeconds")] public required double DurationSeconds { get; init; }

    [JsonPropertyName("peakWorkingSetBytes")] public required long PeakWorkingSetBytes { get; init; }

    /// <summary>CPU time of the whole process over the run (user + system, all threads), seconds: what a registration costs, next to its rate.</summary>
    [JsonPropertyName("cpuSeconds")] public double CpuSeconds { get; init; }

    /// <summary>Time the process spent paused for garbage collection over the run, seconds: the share of <see cref="CpuSeconds"/> that allocations cost.</summary>
    [JsonPropertyName("gcPauseSeconds")] public double GcPauseSeconds { get; init; }

    /// <summary>Garbage collections of generations 0, 1 and 2 over the run.</summary>
    [JsonPropertyName("gcCollections")] public IReadOnlyList<int> GcCollections { get; init; } = [];

    /// <summary>Topic (e.g. <c>connection:registered</c>) → events published during the run.</summary>
    [JsonPropertyName("events")] public required IReadOnlyDictionary<string, long> Events { get; init; }

    // ---- beyond the fixed keys: context and chart data ----

    /// <summary>Where the accounts registered (<c>udp://127.0.0.1:5060</c>; the embedded registrar's address when none was given).</summary>
    [JsonPropertyName("server")] public required string Server { get; init; }

    /// <summary>The <c>SipServerIp</c> used in the accounts' URIs.</summary>
    [JsonPropertyName("domain")] public required string Domain { get; init; }

    /// <summary>What the run was asked to do and the machine it ran on; null in reports written before it was recorded.</summary>
    [JsonPropertyName("settings")] public RunSettings? Settings { get; init; }

    /// <summary>When the run started (UTC).</summary>
    [JsonPropertyName("startedAt")] public required DateTimeOffset StartedAt { get; init; }

    /// <summary>First connect to last initial registration, seconds.</summary>
    [JsonPropertyName("rampSeconds")] public required double RampSeconds { get; init; }

    /// <summary>Whether the run was stopped early (Ctrl+C / SIGTERM).</summary>
    [JsonPropertyName("interrupted")] public bool Interrupted { get; init; }

    /// <summary>One point per second of the run: cumulative registered and failed, accounts in flight, registered now, losses and re-registrations so far.</summary>
    [JsonPropertyName("timeline")] public required IReadOnlyList<TimelinePoint> Timeline { get; init; }

    /// <summary>
    /// <c>load --cluster</c> only: each node that hosted accounts during the run, with what its
    /// events and its reports said (null, and left out of the JSON, for a single-process run).
    /// </summary>
    [JsonPropertyName("nodes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Cluster.LoadNode>? Nodes { get; init; }

    /// <summary><c>load --cluster</c> only: the coordinator and the events it received over pub/sub.</summary>
    [JsonPropertyName("cluster")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Cluster.ClusterRun? Cluster { get; init; }

    /// <summary>Latency histogram: buckets five to a decade (equal widths on a log scale), in increasing order, from the one holding the fastest registration to the one holding the slowest.</summary>
    [JsonPropertyName("latencyHistogram")] public required IReadOnlyList<HistogramBucket> LatencyHistogram { get; init; }
}

/// <summary>Percentiles of a latency distribution, milliseconds.</summary>
public sealed record LatencySummary(
    [property: JsonPropertyName("p50")] double P50,
    [property: JsonPropertyName("p90")] double P90,
    [property: JsonPropertyName("p99")] double P99,
    [property: JsonPropertyName("max")] double Max);

/// <summary>
/// The state of the run at <see cref="Second"/> seconds after its start. <see cref="Registered"/>
/// only goes up (accounts registered once); <see cref="RegisteredNow"/> drops with every loss.
/// </summary>
public sealed record TimelinePoint(
    [property: JsonPropertyName("second")] double Second,
    [property: JsonPropertyName("registered")] int Registered,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("inFlight")] int InFlight,
    [property: JsonPropertyName("registeredNow")] int RegisteredNow = 0,
    [property: JsonPropertyName("losses")] int Losses = 0,
    [property: JsonPropertyName("reregistrations")] int Reregistrations = 0);

/// <summary>Registrations whose latency was above <see cref="LowerMs"/> and at most <see cref="UpperMs"/>.</summary>
public sealed record HistogramBucket(
    [property: JsonPropertyName("upperMs")] double UpperMs,
    [property: JsonPropertyName("count")] long Count)
{
    /// <summary>The bucket's lower edge: the previous bucket's <see cref="UpperMs"/>, or the edge below the first one. Zero in reports written before it was recorded.</summary>
    [JsonPropertyName("lowerMs")] public double LowerMs { get; init; }
}
