using System.Text.Json;
using System.Text.Json.Serialization;
using SipActors.Cli.Load;

namespace SipActors.Cli.Calls;

/// <summary>The JSON report of a <c>sipactors calls</c> run (<c>--report</c>).</summary>
public sealed record CallsReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Calls placed (a Call command sent to a caller).</summary>
    [JsonPropertyName("callsAttempted")] public long CallsAttempted { get; init; }

    /// <summary>Calls the callee (or target) answered with a 2xx.</summary>
    [JsonPropertyName("callsAnswered")] public long CallsAnswered { get; init; }

    /// <summary>Calls that failed: not answered (a final error, a timeout, a refused Call), or answered and then ended otherwise than by our BYE.</summary>
    [JsonPropertyName("callsFailed")] public long CallsFailed { get; init; }

    /// <summary>Answered calls ended by the caller's BYE after their hold (or at the end of the run).</summary>
    [JsonPropertyName("callsCompleted")] public long CallsCompleted { get; init; }

    /// <summary>Calls still unanswered when the run stopped placing, cancelled by us: not failures.</summary>
    [JsonPropertyName("callsCancelledAtStop")] public long CallsCancelledAtStop { get; init; }

    /// <summary>Failed calls by their <c>session:ended</c> cause (Busy, Rejected, Not Found, Unavailable, Request Timeout, ...).</summary>
    [JsonPropertyName("failuresByCause")] public required IReadOnlyDictionary<string, long> FailuresByCause { get; init; }

    /// <summary>Per cause, the first distinct texts (a reason phrase, a transport error's message).</summary>
    [JsonPropertyName("failureDetails")] public required IReadOnlyDictionary<string, IReadOnlyList<string>> FailureDetails { get; init; }

    /// <summary>INVITE sent to 200 OK received, ms.</summary>
    [JsonPropertyName("setupMs")] public required LatencySummary SetupMs { get; init; }

    /// <summary>INVITE sent to its first provisional response above 100 (180 Ringing, 183), ms.</summary>
    [JsonPropertyName("ringMs")] public required LatencySummary RingMs { get; init; }

    /// <summary>HangUp given (the BYE sent) to the BYE's 2xx, ms.</summary>
    [JsonPropertyName("byeMs")] public required LatencySummary ByeMs { get; init; }

    /// <summary>The most calls up at once (placed and not ended).</summary>
    [JsonPropertyName("concurrentPeak")] public int ConcurrentPeak { get; init; }

    /// <summary>Calls still up at any account (caller or callee) after the run hung up: 0 unless a call was lost on the way.</summary>
    [JsonPropertyName("callsLeftUp")] public int CallsLeftUp { get; init; }

    /// <summary>Answered calls per second over the calling phase.</summary>
    [JsonPropertyName("answeredPerSecond")] public double AnsweredPerSecond { get; init; }

    /// <summary>INVITE client transactions by final status (a challenged call counts a 407 and a 200), and "timeout".</summary>
    [JsonPropertyName("inviteResponses")] public required IReadOnlyDictionary<string, long> InviteResponses { get; init; }

    /// <summary>BYE client transactions by final status, and "timeout".</summary>
    [JsonPropertyName("byeResponses")] public required IReadOnlyDictionary<string, long> ByeResponses { get; init; }

    /// <summary>Requests the stack sent again (Timer A/E), REGISTERs included.</summary>
    [JsonPropertyName("retransmissions")] public long Retransmissions { get; init; }

    [JsonPropertyName("transactionTimeouts")] public long TransactionTimeouts { get; init; }

    /// <summary>The shared UDP socket's receive buffer as asked (bytes); null over other transports.</summary>
    [JsonPropertyName("udpReceiveBufferRequestedBytes")] public int? UdpReceiveBufferRequestedBytes { get; init; }

    /// <summary>What the kernel reports it kept (SO_RCVBUF; Linux reports twice the usable size, capped by net.core.rmem_max); null over other transports.</summary>
    [JsonPropertyName("udpReceiveBufferGrantedBytes")] public int? UdpReceiveBufferGrantedBytes { get; init; }

    [JsonPropertyName("accounts")] public int Accounts { get; init; }
    [JsonPropertyName("callers")] public int Callers { get; init; }
    [JsonPropertyName("callees")] public int Callees { get; init; }
    [JsonPropertyName("registered")] public int Registered { get; init; }
    [JsonPropertyName("registrationFailed")] public int RegistrationFailed { get; init; }
    [JsonPropertyName("registrationFailuresByCause")] public required IReadOnlyDictionary<string, int> RegistrationFailuresByCause { get; init; }
    [JsonPropertyName("unregistered")] public int Unregistered { get; init; }

    /// <summary>Seconds from the first call placed until placing stopped.</summary>
    [JsonPropertyName("callingSeconds")] public double CallingSeconds { get; init; }

    /// <summary>Seconds of the whole run: registration, calling, hanging up, un-registration.</summary>
    [JsonPropertyName("durationSeconds")] public double DurationSeconds { get; init; }

    [JsonPropertyName("cpuSeconds")] public double CpuSeconds { get; init; }
    [JsonPropertyName("peakWorkingSetBytes")] public long PeakWorkingSetBytes { get; init; }
    [JsonPropertyName("interrupted")] public bool Interrupted { get; init; }
    [JsonPropertyName("startedAt")] public DateTimeOffset StartedAt { get; init; }

    [JsonPropertyName("settings")] public required CallsSettings Settings { get; init; }

    /// <summary>One point per sample: calls placed, answered, failed, up.</summary>
    [JsonPropertyName("timeline")] public required IReadOnlyList<CallsTimelinePoint> Timeline { get; init; }

    [JsonPropertyName("setupHistogram")] public required IReadOnlyList<HistogramBucket> SetupHistogram { get; init; }

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static CallsReport? Deserialize(string json) => JsonSerializer.Deserialize<CallsReport>(json, Json);
}

/// <summary>What a calls run was asked to do and where it ran.</summary>
public sealed record CallsSettings
{
    [JsonPropertyName("server")] public required string Server { get; init; }
    [JsonPropertyName("transport")] public required string Transport { get; init; }
    [JsonPropertyName("embeddedRegistrar")] public bool EmbeddedRegistrar { get; init; }
    [JsonPropertyName("domain")] public required string Domain { get; init; }
    [JsonPropertyName("target")] public string? Target { get; init; }

    /// <summary>The --cps value: a rate or stages.</summary>
    [JsonPropertyName("cps")] public required string Cps { get; init; }

    [JsonPropertyName("maxConcurrent")] public int? MaxConcurrent { get; init; }
    [JsonPropertyName("holdSeconds")] public double HoldSeconds { get; init; }
    [JsonPropertyName("holdJitterSeconds")] public double HoldJitterSeconds { get; init; }
    [JsonPropertyName("durationSeconds")] public double? DurationSeconds { get; init; }
    [JsonPropertyName("calls")] public int? Calls { get; init; }

    /// <summary>The address the accounts send from (<c>--local</c>); null lets the system choose.</summary>
    [JsonPropertyName("localAddress")] public string? LocalAddress { get; init; }

    /// <summary>What the calls offer: SipActors' minimal SDP, no media.</summary>
    [JsonPropertyName("sdp")] public string Sdp { get; init; } = "minimal offer/answer, no media";

    [JsonPropertyName("version")] public required string Version { get; init; }
    [JsonPropertyName("machine")] public required MachineInfo Machine { get; init; }
}

/// <summary>The run's counts at one moment.</summary>
public sealed record CallsTimelinePoint(
    [property: JsonPropertyName("second")] double Second,
    [property: JsonPropertyName("attempted")] long Attempted,
    [property: JsonPropertyName("answered")] long Answered,
    [property: JsonPropertyName("failed")] long Failed,
    [property: JsonPropertyName("up")] int Up);
