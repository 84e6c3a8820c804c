using Akka.Configuration;
using SipActors.Configuration;
using SipActors.Connections;

namespace SipActors.Cluster;

/// <summary>
/// How accounts are placed over a cluster: the <c>sip-actors.cluster</c> section of cluster.hocon,
/// and the node-wide permit gate from <c>sip-actors.connect-rate-limit</c> and
/// <c>max-concurrent-connects</c> (one rate per node, whatever the number of slices it hosts).
/// </summary>
public sealed record ClusterAccountsSettings
{
    /// <summary>Shard region (entity type) name.</summary>
    public string TypeName { get; init; } = "sip-accounts";

    /// <summary>Nodes with this role host slices; others only place accounts through a proxy.</summary>
    public string Role { get; init; } = "sip-accounts";

    /// <summary>How many slices accounts are spread over (a shard entity each); the same on every node of a cluster.</summary>
    public int Slices { get; init; } = 256;

    /// <summary>Majority reads and writes of the account definitions wait this long.</summary>
    public TimeSpan DefinitionsTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Un-registrations a handing-over slice keeps in flight at once.</summary>
    public int HandOffConcurrency { get; init; } = 50;

    /// <summary>A handing-over slice stops after this long even if some accounts have not answered their Disconnect.</summary>
    public TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The node-wide permit gate and the accounts' own settings.</summary>
    public ConnectionSupervisorSettings Node { get; init; } = ConnectionSupervisorSettings.Default;

    /// <summary>Reads <paramref name="config"/> over <see cref="SipClusterConfig.Defaults"/>; a bad value names its key.</summary>
    public static ClusterAccountsSettings Create(Config? config = null)
    {
        var merged = config is null ? SipClusterConfig.Defaults : config.WithFallback(SipClusterConfig.Defaults);
        var section = merged.GetConfig("sip-actors.cluster") ?? throw new SipActorsConfigurationException("sip-actors.cluster", "the section is missing");
        var settings = new ClusterAccountsSettings
        {
            TypeName = NonEmpty(section, "type-name"),
            Role = section.GetString("role", "") ?? "",
            Slices = Int(section, "slices", 1, 65536),
            DefinitionsTimeout = Positive(section, "definitions-timeout"),
            HandOffConcurrency = Int(section, "hand-off-concurrency", 1, 100_000),
            HandOffTimeout = Positive(section, "hand-off-timeout"),
            Node = SipActorsSettings.Create(merged).Supervisor,
        };
        var handoff = merged.GetTimeSpan("akka.cluster.sharding.handoff-timeout", TimeSpan.FromSeconds(60));
        if (settings.HandOffTimeout >= handoff)
        {
            throw new SipActorsConfigurationException("sip-actors.cluster.hand-off-timeout",
                $"{settings.HandOffTimeout} must be below akka.cluster.sharding.handoff-timeout ({handoff}), or sharding stops the slice before its accounts un-registered");
        }
        return settings;
    }

    private static string NonEmpty(Config section, string key)
        => section.GetString(key, null) is { Length: > 0 } value ? value : throw new SipActorsConfigurationException("sip-actors.cluster." + key, "must not be empty");

    private static int Int(Config section, string key, int min, int max)
    {
        var value = section.GetInt(key, int.MinValue);
        return value >= min && value <= max ? value : throw new SipActorsConfigurationException("sip-actors.cluster." + key, $"must be {min}..{max}");
    }

    private static TimeSpan Positive(Config section, string key)
    {
        var value = section.GetTimeSpan(key, TimeSpan.Zero, allowInfinite: false);
        return value > TimeSpan.Zero ? value : throw new SipActorsConfigurationException("sip-actors.cluster." + key, "must be a positive duration");
    }
}
