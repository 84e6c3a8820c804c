using System.Text.Json.Serialization;

namespace SipActors.Cli.Cluster;

/// <summary>What a <c>load --cluster</c> run was, besides its accounts: in the report's <c>cluster</c>.</summary>
public sealed record ClusterRun
{
    /// <summary>The coordinator's Akka address.</summary>
    [JsonPropertyName("coordinator")] public required string Coordinator { get; init; }

    /// <summary>Nodes hosting slices the run waited for before placing (<c>--min-nodes</c>).</summary>
    [JsonPropertyName("minNodes")] public int MinNodes { get; init; }

    /// <summary>Account events received over DistributedPubSub.</summary>
    [JsonPropertyName("eventsReceived")] public long EventsReceived { get; init; }

    /// <summary>
    /// Events missing by their per-account sequence numbers (pub/sub is at most once): zero on a
    /// healthy cluster; an account's first event on a node sets where its sequence starts.
    /// </summary>
    [JsonPropertyName("eventGaps")] public long EventGaps { get; init; }

    /// <summary>Registrations the coordinator took as lost because their node left the cluster without un-registering them (killed, downed).</summary>
    [JsonPropertyName("lostWithNode")] public int LostWithNode { get; init; }
}
