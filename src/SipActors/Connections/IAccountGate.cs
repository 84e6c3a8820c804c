using Akka.Actor;

namespace SipActors.Connections;

/// <summary>
/// What an account needs from whatever hosts it (the placement seam): a permit before each
/// transport attempt or registration retry, so that the host's accounts together keep to its
/// rate; a place to report its status; its last Connect after a crash; a notice when it stops.
/// The local <see cref="ConnectionSupervisor"/> is one host, a cluster shard can be another: an
/// account is given its gate explicitly and never assumes its parent is the host.
/// All calls come from the account's own actor and return at once.
/// </summary>
public interface IAccountGate
{
    /// <summary>Asks for a permit; the answer is a <see cref="PermitGranted"/> with <paramref name="generation"/>, sent to <paramref name="account"/>.</summary>
    void RequestPermit(IActorRef account, AccountId id, int generation);

    /// <summary>The attempt a permit was granted for has ended (or a permit came for one that no longer waits).</summary>
    void ReleasePermit(IActorRef account, AccountId id);

    /// <summary>The account's status changed (the host keeps counts).</summary>
    void StatusChanged(IActorRef account, AccountId id, ConnectionStatus status);

    /// <summary>The account restarted after a crash: a host that kept its last Connect sends it again.</summary>
    void Restarted(IActorRef account, AccountId id);

    /// <summary>The account stopped for good: its counts and any permit it held go.</summary>
    void Stopped(IActorRef account, AccountId id);
}
