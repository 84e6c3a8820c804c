namespace SipActors.Cli.Cluster;

/// <summary>The cluster side of <c>load --cluster</c>: where the coordinator listens, whom it joins, how many hosting nodes it waits for.</summary>
internal sealed record ClusterLoadOptions(ClusterEndpoint Self, IReadOnlyList<ClusterEndpoint> Seeds, int MinNodes)
{
    /// <summary>How long the coordinator waits for <see cref="MinNodes"/> nodes to host slices (Ctrl+C ends the wait sooner).</summary>
    public TimeSpan NodesTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The coordinator's HOCON: the cluster options' (address, seeds, no role) over the <c>--config</c> file.</summary>
    public required Func<Akka.Configuration.Config?, Akka.Configuration.Config> Config { get; init; }
}
