using System.Reflection;
using Akka.Configuration;
using SipActors.Configuration;
using SipActors.Dispatch;

namespace SipActors.Cluster;

/// <summary>
/// The HOCON a node of a SipActors cluster runs with: cluster.hocon (sharding in DData mode,
/// remember-entities, no durable keys, no passivation, capped rebalancing, Split Brain Resolver
/// keep-majority, the serializer bindings, the <c>sip-actors.cluster</c> section) over SipActors'
/// own config.hocon. User settings go on top: <c>userConfig.WithFallback(SipClusterConfig.Defaults)</c>.
/// </summary>
public static class SipClusterConfig
{
    /// <summary>
    /// cluster.hocon alone: the choices this mode depends on (serializer bindings, sharding in
    /// Distributed Data without durable keys, capped rebalancing, hand-off timeout, frame size,
    /// Split Brain Resolver) without the reference defaults under them. For a host that must put
    /// them above Akka's reference defaults, which Akka.Cluster.Hosting adds again itself.
    /// </summary>
    // Declared before Defaults: static properties initialize in order.
    public static Config Embedded { get; } = LoadEmbedded();

    /// <summary>
    /// cluster.hocon, then config.hocon, then the accounts' mailbox definition, then the defaults of
    /// DistributedPubSub, sharding and Distributed Data: their serializer bindings must be known from
    /// the start, because the other nodes' gossip arrives as soon as a node joins, before anything on
    /// it starts those extensions (an observer or a coordinator never starts Distributed Data at all).
    /// </summary>
    public static Config Defaults { get; } = Embedded
        .WithFallback(SipActorsSettings.DefaultConfig)
        .WithFallback(CompactDequeMailbox.Definition)
        .WithFallback(Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.DefaultConfig())
        .WithFallback(Akka.Cluster.Sharding.ClusterSharding.DefaultConfig())
        .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());

    /// <summary>
    /// A node on <paramref name="hostname"/>:<paramref name="port"/> (0: any free port) with the
    /// given roles (<see cref="ClusterAccountsSettings.Role"/> to host slices) and seed nodes
    /// (<c>akka.tcp://system@host:port</c>; none: join by code), over <see cref="Defaults"/>.
    /// </summary>
    public static Config Node(string hostname, int port, IEnumerable<string> roles, IEnumerable<string>? seeds = null)
        => NodeAddress(hostname, port, roles, seeds).WithFallback(Defaults);

    /// <summary>
    /// Only the node's own settings (address, roles, seeds), without <see cref="Defaults"/>: for a
    /// host that puts its own HOCON between them and the defaults (<c>sipactors node --config</c>).
    /// </summary>
    public static Config NodeAddress(string hostname, int port, IEnumerable<string> roles, IEnumerable<string>? seeds = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostname);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => "\"" + v.Replace("\"", "", StringComparison.Ordinal) + "\"")) + "]";
        var text = $$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{hostname.Replace("\"", "", StringComparison.Ordinal)}}"
              port = {{port}}
            }
            akka.cluster.roles = {{List(roles)}}
            akka.cluster.seed-nodes = {{List(seeds ?? [])}}
            """;
        return ConfigurationFactory.ParseString(text);
    }

    private static Config LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SipActors.Cluster.cluster.hocon")
            ?? throw new InvalidOperationException("cluster.hocon is not embedded in SipActors.Cluster");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
