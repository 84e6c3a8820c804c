using System.Globalization;
using System.Text;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SipActors.Cluster.Hosting;

/// <summary>
/// How a clustered host (one that calls <c>WithClustering</c>) runs the accounts of
/// <c>WithSipActors</c>: set in code through <c>WithSipActorsCluster</c>, then bound from the
/// <c>SipActors:Cluster</c> configuration section (appsettings.json, <c>SipActors__Cluster__MinNodes</c>),
/// whose values beat the code's when the actor system starts. Every setting is nullable: null
/// keeps the documented default (or the HOCON named).
/// </summary>
public sealed class SipActorsClusterOptions
{
    /// <summary>The configuration section bound to these options.</summary>
    public const string SectionName = "SipActors:Cluster";

    /// <summary>
    /// Whether this node runs account slices (its own SIP stack registers them), true by default.
    /// A node that only drives accounts (an API front end) sets false: it places and commands them
    /// through a region proxy and hears their events, and needs no role. A hosting node needs the
    /// cluster role <see cref="Role"/> (<c>ClusterOptions.Roles</c>); start-up fails naming it otherwise.
    /// </summary>
    public bool? HostAccounts { get; set; }

    /// <summary>
    /// Nodes that must host slices before this host places its configured accounts, 1 by default.
    /// Placing earlier gives every slice to the first nodes up, and rebalancing (capped: one slice
    /// per 30 s) moves them only slowly. Commands through <c>ISipAccounts</c> are not held back.
    /// </summary>
    public int? MinNodes { get; set; }

    /// <summary>The cluster role of the nodes that host slices (HOCON <c>sip-actors.cluster.role</c>, <c>sip-accounts</c>).</summary>
    public string? Role { get; set; }

    /// <summary>Slices the accounts are spread over, the same on every node (HOCON <c>sip-actors.cluster.slices</c>, 256).</summary>
    public int? Slices { get; set; }

    internal bool HostAccountsOrDefault => HostAccounts ?? true;

    internal int MinNodesOrDefault => MinNodes ?? 1;

    /// <summary>The errors of the values that were set, each naming its property after <paramref name="prefix"/> (a configuration section, or none for code).</summary>
    internal IReadOnlyList<string> Errors(string prefix = "")
    {
        var errors = new List<string>();
        if (MinNodes is < 1)
        {
            errors.Add($"{prefix}{nameof(MinNodes)} must be at least 1, not {MinNodes}");
        }
        if (Role is { } role && string.IsNullOrWhiteSpace(role))
        {
            errors.Add($"{prefix}{nameof(Role)} must not be blank (null keeps sip-actors.cluster.role)");
        }
        if (Slices is < 1 or > 65536)
        {
            errors.Add($"{prefix}{nameof(Slices)} must be 1..65536, not {Slices}");
        }
        return errors;
    }

    /// <summary>Code-set values, then the <see cref="SectionName"/> section over them (operators override code), then validation naming keys.</summary>
    internal SipActorsClusterOptions Final(IConfiguration? configuration)
    {
        var options = Clone();
        configuration?.GetSection(SectionName).Bind(options);
        var errors = options.Errors(SectionName + ":");
        return errors.Count == 0 ? options : throw new OptionsValidationException(SectionName, typeof(SipActorsClusterOptions), errors);
    }

    /// <summary>The <c>sip-actors.cluster</c> HOCON of the values that were set.</summary>
    internal Config ToConfig()
    {
        var hocon = new StringBuilder();
        if (Role is { } role)
        {
            hocon.Append(CultureInfo.InvariantCulture, $"sip-actors.cluster.role = \"{role.Replace("\"", "", StringComparison.Ordinal)}\"\n");
        }
        if (Slices is { } slices)
        {
            hocon.Append(CultureInfo.InvariantCulture, $"sip-actors.cluster.slices = {slices}\n");
        }
        return hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon.ToString());
    }

    internal SipActorsClusterOptions Clone() => (SipActorsClusterOptions)MemberwiseClone();
}
