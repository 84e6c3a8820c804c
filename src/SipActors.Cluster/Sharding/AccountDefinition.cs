using Akka.DistributedData;
using SipActors.Connections;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// What a slice needs to (re)create an account on whatever node it starts: the account and the
/// parameters of its last Connect. Kept per slice in a replicated <see cref="LWWDictionary{TKey, TValue}"/>
/// (<see cref="KeyOf"/>), so a slice that moves after a failover or a leave finds its accounts
/// without any file of the node that placed them. The password is part of it (the new owner
/// registers) and, as in <see cref="ConnectionParameters"/>, never printed.
/// </summary>
public sealed record AccountDefinition(AccountId Account, ConnectionParameters Parameters)
{
    /// <summary>The replicated key of one slice's definitions, account id → definition.</summary>
    public static LWWDictionaryKey<string, AccountDefinition> KeyOf(int slice)
        => new("sip-accounts-" + AccountMessageExtractor.SliceName(slice));

    /// <summary>The Connect that recreates the account.</summary>
    public Connect ToConnect() => new(Account, Parameters);
}
