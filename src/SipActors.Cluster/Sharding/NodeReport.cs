using SipActors.Connections;

namespace SipActors.Cluster.Sharding;

/// <summary>Asks a node's <see cref="AccountNode"/> (<c>/user/sip-account-node</c>) for its <see cref="NodeReport"/>.</summary>
public sealed class GetNodeReport
{
    public static readonly GetNodeReport Instance = new();
    private GetNodeReport() { }
}

/// <summary>
/// One hosting node at one moment, for a coordinator's live view and report: its accounts per
/// state, and the figures no event carries (the process's CPU and memory, the SIP stack's
/// retransmissions and timeouts, the refreshes counted by the <c>SipActors</c> meter). Counters are
/// cumulative since the node started: a reader takes differences. The meter is process-wide, so
/// several nodes in one process count each other's refreshes.
/// </summary>
public sealed record NodeReport(
    string Node,
    int Accounts,
    IReadOnlyDictionary<ConnectionStatus, int> ByStatus,
    double CpuSeconds,
    long WorkingSetBytes,
    long PeakWorkingSetBytes,
    long Retransmissions,
    long TransactionTimeouts,
    long Refreshes,
    long RefreshFailures)
{
    private static readonly IReadOnlyDictionary<string, long> NoKinds = new Dictionary<string, long>();
    private static readonly IReadOnlyDictionary<int, long> NoResponses = new Dictionary<int, long>();

    /// <summary>REGISTERs the node sent, by kind (initial, challenged, refresh, unregister, retry): <c>--stats</c> columns of a cluster run.</summary>
    public IReadOnlyDictionary<string, long> RegistersSent { get; init; } = NoKinds;

    /// <summary>Responses the node received to its REGISTERs, by status code.</summary>
    public IReadOnlyDictionary<int, long> RegisterResponses { get; init; } = NoResponses;

    /// <summary>The node's transactions alive now (in flight, or completed and absorbing retransmissions).</summary>
    public int TransactionsOpen { get; init; }

    public int Count(ConnectionStatus status) => ByStatus.TryGetValue(status, out var n) ? n : 0;
}
