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
    /// <summary>cluster.hocon, then config.hocon, then the accounts' mailbox definition.</summary>
    public static Config Defaults { get; } = LoadEmbedded()
        .WithFallback(SipActorsSettings.DefaultConfig)
        .WithFallback(CompactDequeMailbox.Definition);

    /// <summary>
    /// A node on <paramref name="hostname"/>:<paramref name="port"/> (0: any free port) with the
    /// given roles (<see cref="ClusterAccountsSettings.Role"/> to host slices) and seed nodes
    /// (<c>akka.tcp://system@host:port</c>; none: join by code), over <see cref="Defaults"/>.
    /// </summary>
    public static Config Node(string hostname, int port, IEnumerable<string> roles, IEnumerable<string>? seeds = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostname);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => "\"" + v.Replace("\"", "", StringComparison.Ordinal) + "\"")) + "]";
        var text = $$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{hostname}}"
              port = {{port}}
            }
            akka.cluster.roles = {{List(roles)}}
            akka.cluster.seed-nodes = {{List(seeds ?? [])}}
            """;
        return ConfigurationFactory.ParseString(text).WithFallback(Defaults);
    }

    private static Config LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SipActors.Cluster.cluster.hocon")
            ?? throw new InvalidOperationException("cluster.hocon is not embedded in SipActors.Cluster");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
