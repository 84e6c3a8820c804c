using System.Text.Json.Serialization;

namespace SipActors.Cli.Cluster;

/// <summary>
/// One node of a <c>load --cluster</c> run, in the report's <c>nodes</c>. <see cref="Accounts"/>,
/// <see cref="Registered"/> and <see cref="Failed"/> count distinct accounts by the events the node
/// published (an account that moved during the run counts on both nodes); the rest comes from the
/// node's own reports, asked once a second (a node that died keeps its last one).
/// </summary>
public sealed record LoadNode
{
    /// <summary>The node's Akka address, <c>akka.tcp://sipactors@127.0.0.1:4054</c>.</summary>
    [JsonPropertyName("address")] public required string Address { get; init; }

    /// <summary>Its membership at the end of the run: up, leaving, exiting, down, removed, unreachable.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    /// <summary>Accounts that started a connect on this node (placed, or moved here).</summary>
    [JsonPropertyName("accounts")] public int Accounts { get; init; }

    /// <summary>Accounts that registered from this node.</summary>
    [JsonPropertyName("registered")] public int Registered { get; init; }

    /// <summary>Accounts whose connect failed on this node and that never registered from it.</summary>
    [JsonPropertyName("failed")] public int Failed { get; init; }

    /// <summary>The most accounts the node held registered at once, by its reports (once a second).</summary>
    [JsonPropertyName("peakRegistered")] public int PeakRegistered { get; init; }

    /// <summary>CPU time of the node's process between its first and last report of the run, seconds.</summary>
    [JsonPropertyName("cpuSeconds")] public double CpuSeconds { get; init; }

    /// <summary>The node process's peak working set (the kernel's high-water mark).</summary>
    [JsonPropertyName("peakWorkingSetBytes")] public long PeakWorkingSetBytes { get; init; }

    /// <summary>Refreshes the node counted during the run.</summary>
    [JsonPropertyName("refreshes")] public long Refreshes { get; init; }

    /// <summary>SIP retransmissions of the node's stack during the run.</summary>
    [JsonPropertyName("retransmissions")] public long Retransmissions { get; init; }

    /// <summary>Client transactions of the node's stack that timed out during the run.</summary>
    [JsonPropertyName("transactionTimeouts")] public long TransactionTimeouts { get; init; }
}
