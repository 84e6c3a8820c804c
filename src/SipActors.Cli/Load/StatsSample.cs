using HdrHistogram;

namespace SipActors.Cli.Load;

/// <summary>
/// What a <c>--stats</c> row reads besides the accounts' states, at one moment, summed over
/// wherever the accounts run (this process, or a cluster's nodes by their last reports).
/// Counters are cumulative since the run started. Null where the source cannot say: the UDP
/// datagrams of other transports, REGISTER exchanges and the latency histogram on a cluster.
/// </summary>
internal sealed record StatsSample(
    long Refreshes,
    long RefreshFailures,
    long? RegisterExchanges,
    long? DatagramsSent,
    long? DatagramsReceived,
    IReadOnlyDictionary<string, long> RegistersSent,
    IReadOnlyDictionary<int, long> RegisterResponses,
    long Retransmissions,
    long TransactionTimeouts,
    int TransactionsOpen,
    HistogramBase? Latency,
    TimeSpan Cpu,
    long WorkingSetBytes);
