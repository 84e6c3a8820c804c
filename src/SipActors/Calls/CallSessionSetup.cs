using Akka.Actor;
using SipActors.Sip.Calls;
using SipActors.Sip.Transactions;

namespace SipActors.Calls;

/// <summary>What a session actor starts from: the account's call settings plus the call to place or the INVITE to handle.</summary>
internal sealed record CallSessionSetup(SipCallOptions Options, IncomingCallPolicy Policy, string? AnswerSdp)
{
    public Call? Outgoing { get; init; }
    public IActorRef? ReplyTo { get; init; }
    public SipServerTransaction? Invite { get; init; }
}
