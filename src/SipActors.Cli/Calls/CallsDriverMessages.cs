using Akka.Actor;
using SipActors.Cli.Load;

namespace SipActors.Cli.Calls;

/// <summary>Start placing calls: the registered <paramref name="Callers"/> in turn, each to the next registered of <paramref name="Targets"/>; answered with <see cref="CallingStarted"/>.</summary>
internal sealed record StartCalling(IReadOnlyList<AccountId> Callers, IReadOnlyList<CallTarget> Targets) : INoSerializationVerificationNeeded;

/// <summary>Where calls go: a callee account's URI (called only when registered), or an external target (<paramref name="Callee"/> null).</summary>
internal sealed record CallTarget(AccountId? Callee, string Uri);

/// <summary>How many callers and targets the calls go between (zero of either: no call is placed).</summary>
internal sealed record CallingStarted(int Callers, int Targets);

/// <summary>Stop placing; hang up every call still up (BYE when answered, CANCEL before).</summary>
internal sealed record StopCalling : INoSerializationVerificationNeeded
{
    public static readonly StopCalling Instance = new();
}

/// <summary>Asks for a <see cref="CallsProgress"/>.</summary>
internal sealed record GetCallsProgress
{
    public static readonly GetCallsProgress Instance = new();
}

/// <summary>Asks for the run's <see cref="CallsStatistics"/>, once, at its end.</summary>
internal sealed record GetCallsStatistics
{
    public static readonly GetCallsStatistics Instance = new();
}

/// <summary>A client transaction of the stack ended (from <see cref="CallsTransactionTrace"/>): a BYE's with its Call-ID, an INVITE's with its status.</summary>
internal sealed record TransactionEnded(string Method, string? CallId, int? StatusCode, DateTimeOffset Time) : INoSerializationVerificationNeeded;

/// <summary>The run's figures at one moment: what the live view, the timeline and the stats rows show.</summary>
internal sealed record CallsProgress(
    int Registered,
    int RegistrationFailed,
    int Unregistered,
    long Attempted,
    long Answered,
    long Failed,
    long Completed,
    long CancelledAtStop,
    int Up,
    int PeakUp,
    int CalleeCallsUp,
    IReadOnlyDictionary<string, long> FailuresByCause,
    double SetupP50Ms,
    double SetupP99Ms,
    bool Placing,
    bool AllPlaced,
    long Events);

/// <summary>Every call's figures, for the report's percentiles and histogram.</summary>
internal sealed record CallsStatistics(
    CallsProgress Progress,
    double[] SetupMs,
    double[] RingMs,
    double[] ByeMs,
    IReadOnlyDictionary<string, int> RegistrationFailuresByCause,
    IReadOnlyDictionary<string, long> InviteResponses,
    IReadOnlyDictionary<string, long> ByeResponses,
    IReadOnlyDictionary<string, IReadOnlyList<string>> FailureDetails);

/// <summary>Causes of failed calls that no session:ended carries.</summary>
internal static class CallsCauses
{
    /// <summary>The cause of a Call command the account refused (not connected, the call could not be placed).</summary>
    public const string NotPlaced = "Not Placed";

    /// <summary>An answered call whose BYE got an error or no answer: the peer may still hold the call.</summary>
    public const string ByeFailed = "BYE Failed";
}
