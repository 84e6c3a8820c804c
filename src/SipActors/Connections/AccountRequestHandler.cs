using Akka.Actor;
using SipActors.Sip;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>Hands an account's incoming requests to its actor as inputs; a receive loop never waits on the actor.</summary>
internal sealed class AccountRequestHandler(IActorRef account) : ISipRequestHandler
{
    public void OnMessage(SipRequest request) => account.Tell(new RequestReceived(request));

    public void OnInvite(SipServerTransaction invite) => account.Tell(new InviteReceived(invite));

    // In-dialog requests find their call through the stack's dialog table; one that does not is answered 481.
    public bool OnInDialogRequest(SipServerTransaction transaction) => false;
}
