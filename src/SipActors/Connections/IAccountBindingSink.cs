using Akka.Actor;
using SipActors.Sip.Registration;

namespace SipActors.Connections;

/// <summary>
/// A host that keeps its accounts' registrations where another process can find them (a cluster
/// slice replicating them): its gate implements this as well as <see cref="IAccountGate"/>, and
/// the account tells it the binding after every granted REGISTER. If the account's process dies,
/// the Connect that recreates it elsewhere carries the binding (<see cref="Connect.ContinueBinding"/>),
/// so the registration goes on with its Call-ID and the next CSeq and the old Contact is removed.
/// Hosts that do not implement it cost the accounts nothing.
/// </summary>
public interface IAccountBindingSink
{
    /// <summary>The registrar granted <paramref name="binding"/> (a registration or a refresh). From the account's own actor; returns at once.</summary>
    void BindingSaved(IActorRef account, AccountId id, RegistrationBinding binding);
}
