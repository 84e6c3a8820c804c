using Akka.Actor;

namespace SipActors.Connections;

/// <summary>An <see cref="IAccountGate"/> kept by an actor (the supervisor, or a shard's slice): each call is a message to it.</summary>
public sealed class ActorAccountGate(IActorRef gate) : IAccountGate
{
    public IActorRef Gate { get; } = gate ?? throw new ArgumentNullException(nameof(gate));

    public void RequestPermit(IActorRef account, AccountId id, int generation) => Gate.Tell(new ConnectPermitRequest(id, generation), account);

    public void ReleasePermit(IActorRef account, AccountId id) => Gate.Tell(new ConnectAttemptFinished(id), account);

    public void StatusChanged(IActorRef account, AccountId id, ConnectionStatus status) => Gate.Tell(new AccountStatusChanged(id, status), account);

    public void Restarted(IActorRef account, AccountId id) => Gate.Tell(new AccountRestarted(id), account);

    public void Stopped(IActorRef account, AccountId id) => Gate.Tell(new AccountStopped(id), account);
}
