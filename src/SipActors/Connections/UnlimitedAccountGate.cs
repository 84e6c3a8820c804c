using Akka.Actor;

namespace SipActors.Connections;

/// <summary>The gate of an account that stands alone (no host): every permit granted at once, nothing counted or kept.</summary>
public sealed class UnlimitedAccountGate : IAccountGate
{
    public static readonly UnlimitedAccountGate Instance = new();

    private UnlimitedAccountGate()
    {
    }

    public void RequestPermit(IActorRef account, AccountId id, int generation) => account.Tell(new PermitGranted(generation), account);

    public void ReleasePermit(IActorRef account, AccountId id)
    {
    }

    public void StatusChanged(IActorRef account, AccountId id, ConnectionStatus status)
    {
    }

    public void Restarted(IActorRef account, AccountId id)
    {
    }

    public void Stopped(IActorRef account, AccountId id)
    {
    }
}
