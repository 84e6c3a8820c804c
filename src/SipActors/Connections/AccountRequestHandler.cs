using Akka.Actor;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>Hands an account's incoming requests to its actor as messages; a receive loop never waits on the actor.</summary>
internal sealed class AccountRequestHandler(IActorRef account) : ISipRequestHandler
{
    /// <summary>An incoming out-of-dialog request for the actor to answer.</summary>
    internal sealed record IncomingRequest(SipServerTransaction Transaction) : INoSerializationVerificationNeeded;

    public void OnRequest(SipServerTransaction transaction) => account.Tell(new IncomingRequest(transaction));

    // Dialogs arrive with calls (issue #6); until then an in-dialog request finds none.
    public bool OnInDialogRequest(SipServerTransaction transaction) => false;
}
