using Akka.Actor;
using SipActors.Connections;
using SipActors.Sip.Registration;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// The gate of an account hosted by a slice: permits and status go to the node's
/// <see cref="AccountNode"/> (one rate limit and one set of counts per node, however many slices it
/// hosts); each granted REGISTER's binding goes to the slice, which replicates it; a restart asks the slice for the account's last Connect; a stop tells both.
/// </summary>
internal sealed class SliceAccountGate(IActorRef node, IActorRef slice) : IAccountGate, IAccountBindingSink
{
    public void BindingSaved(IActorRef account, AccountId id, RegistrationBinding binding) => slice.Tell(new AccountBindingSaved(id, binding), account);

    public void RequestPermit(IActorRef account, AccountId id, int generation) => node.Tell(new ConnectPermitRequest(id, generation), account);

    public void ReleasePermit(IActorRef account, AccountId id) => node.Tell(new ConnectAttemptFinished(id), account);

    public void StatusChanged(IActorRef account, AccountId id, ConnectionStatus status) => node.Tell(new AccountStatusChanged(id, status), account);

    public void Restarted(IActorRef account, AccountId id) => slice.Tell(new AccountRestarted(id), account);

    public void Stopped(IActorRef account, AccountId id)
    {
        node.Tell(new AccountStopped(id), account);
        slice.Tell(new AccountStopped(id), account);
    }
}
