using SipActors.Connections;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// "This account runs on the cluster with these parameters": a <see cref="Connect"/> that is
/// answered <see cref="CommandStatus.NoOp"/>, and changes nothing, when the account's slice already
/// runs it with equal parameters. Clustered hosts send it for the accounts of their configuration:
/// every replica of a service usually has the same configuration, and a plain Connect from each
/// would make the account reconnect (and re-REGISTER) once per replica that starts. Different
/// parameters replace the account's as a Connect does. The password travels (the owner
/// registers) and, as in <see cref="ConnectionParameters"/>, is never printed.
/// </summary>
public sealed record PlaceAccount(AccountId Account, ConnectionParameters Parameters) : IWithAccountId
{
    /// <summary>The Connect the slice runs when the account is not running with these parameters yet.</summary>
    public Connect ToConnect() => new(Account, Parameters);

    /// <summary>
    /// Whether <paramref name="running"/> are the same parameters: record equality, except the
    /// extra headers, a list compared by its lines (a list's own equality is by reference, and the
    /// parameters of a definition read back from Distributed Data are always a new list).
    /// </summary>
    public bool SameParameters(ConnectionParameters running)
    {
        ArgumentNullException.ThrowIfNull(running);
        return running with { ExtraHeaders = [] } == Parameters with { ExtraHeaders = [] }
            && running.ExtraHeaders.SequenceEqual(Parameters.ExtraHeaders, StringComparer.Ordinal);
    }
}
