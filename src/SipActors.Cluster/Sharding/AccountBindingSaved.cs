using Akka.Actor;
using Akka.DistributedData;
using SipActors.Connections;
using SipActors.Sip.Registration;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// An account of a slice got a REGISTER granted: the slice replicates the binding (a
/// <see cref="LWWDictionary{TKey, TValue}"/> per slice, <see cref="KeyOf"/>) so that the node that
/// runs the slice after a failover carries the registration on. Local to a node: it goes from an
/// account to its slice, never between nodes.
/// </summary>
internal sealed record AccountBindingSaved(AccountId Account, RegistrationBinding Binding) : INoSerializationVerificationNeeded
{
    /// <summary>The replicated key of one slice's bindings, account id → binding of its last granted REGISTER.</summary>
    public static LWWDictionaryKey<string, RegistrationBinding> KeyOf(int slice)
        => new("sip-bindings-" + AccountMessageExtractor.SliceName(slice));
}
