using Akka.Hosting;
using Microsoft.Extensions.Options;
using SipActors.Hosting.Placement;

namespace SipActors.Cluster.Hosting;

/// <summary>
/// SipActors in a clustered host: <c>builder.WithClustering(...).WithSipActors(...).WithSipActorsCluster(...)</c>.
/// </summary>
public static class SipActorsClusterHostingExtensions
{
    /// <summary>
    /// Puts the accounts of <c>WithSipActors</c> on the cluster: the accounts of its options and
    /// HOCON, and those added through <c>ISipAccounts</c>, become account slices' accounts (shard
    /// entities, replicated definitions, failover and hand-over as in <c>sipactors node</c>), placed
    /// through this node's shard region, or a region proxy when <see cref="SipActorsClusterOptions.HostAccounts"/>
    /// is false; every <c>ISipAccounts</c> command reaches the account on whichever node runs it;
    /// <c>ISipEvents</c> delivers the events of every node's accounts as the same event records.
    /// Also adds the cluster choices of SipActors (cluster.hocon: serializers, sharding in
    /// Distributed Data without durable keys, capped rebalancing, hand-off timeout, frame size,
    /// Split Brain Resolver keep-majority) above the reference defaults that <c>WithClustering</c>
    /// brings; to change one of them, add your HOCON after this call.
    /// The extension is separate from <c>WithSipActors</c> (rather than an option of it) so that a
    /// host without a cluster does not pull in Akka.Cluster; the order of the two calls does not matter.
    /// When this node stops, its accounts are not un-registered for good: its slices hand over to
    /// the other nodes (each account un-registers here and registers again there); only the last
    /// node's leave ends them.
    /// </summary>
    public static AkkaConfigurationBuilder WithSipActorsCluster(this AkkaConfigurationBuilder builder)
        => builder.WithSipActorsCluster(new SipActorsClusterOptions());

    /// <summary>As <see cref="WithSipActorsCluster(AkkaConfigurationBuilder)"/>, with options set in code.</summary>
    public static AkkaConfigurationBuilder WithSipActorsCluster(this AkkaConfigurationBuilder builder, Action<SipActorsClusterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SipActorsClusterOptions();
        configure(options);
        return builder.WithSipActorsCluster(options);
    }

    /// <summary>As <see cref="WithSipActorsCluster(AkkaConfigurationBuilder)"/>, with options set in code.</summary>
    public static AkkaConfigurationBuilder WithSipActorsCluster(this AkkaConfigurationBuilder builder, SipActorsClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        // Copied now: later changes to the caller's instance do not leak into a running system.
        var codeOptions = options.Clone();
        if (codeOptions.Errors() is { Count: > 0 } errors)
        {
            throw new OptionsValidationException(nameof(SipActorsClusterOptions), typeof(SipActorsClusterOptions), errors);
        }
        // cluster.hocon goes on top: WithClustering adds sharding's and DistributedPubSub's reference
        // defaults itself, and appended below them its choices would be masked (measured: durable
        // keys back to ["shard-*"], whose LightningDB store then fails and no slice ever starts).
        // The rest of the defaults (config.hocon, the extensions' own) stay appended.
        builder.AddHocon(SipClusterConfig.Defaults, HoconAddMode.Append);
        builder.AddHocon(SipClusterConfig.Embedded, HoconAddMode.Prepend);
        var hocon = codeOptions.ToConfig();
        if (!hocon.IsEmpty)
        {
            builder.AddHocon(hocon, HoconAddMode.Prepend);
        }
        // The setup reaches WithSipActors' starter and ISipEvents through the actor system itself.
        builder.AddSetup(new SipActorsPlacementSetup(new ClusterPlacement(codeOptions)));
        return builder;
    }
}
