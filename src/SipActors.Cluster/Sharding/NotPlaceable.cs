using SipActors.Connections;

namespace SipActors.Cluster.Sharding;

/// <summary>Why a Connect cannot be placed on the cluster, in one sentence (never with a password).</summary>
public static class NotPlaceable
{
    /// <summary>Null when <paramref name="connect"/> can be placed; else the reason.</summary>
    public static string? Reason(Connect connect) => connect switch
    {
        { Provider: not null } => $"account '{connect.Account.Value}': a Connect with a Provider cannot be placed on the cluster "
            + "(a provider is a function of this process and cannot travel to the node that hosts the account's slice, "
            + "nor be replayed after a failover); pass ConnectionParameters instead",
        { Parameters: null } => $"account '{connect.Account.Value}': a Connect placed on the cluster needs ConnectionParameters",
        _ => null,
    };

    /// <summary>Throws <see cref="ArgumentException"/> with <see cref="Reason"/> when the Connect cannot be placed.</summary>
    public static void ThrowIfNotPlaceable(Connect connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        if (Reason(connect) is { } reason)
        {
            throw new ArgumentException(reason, nameof(connect));
        }
    }
}
