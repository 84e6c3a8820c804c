using Akka.Actor;
using SipActors.Connections;

namespace SipActors.Calls;

/// <summary>
/// The handle of one call, carried by <c>connection:newRTCSession</c> and by the answer to
/// <see cref="Call"/>. <see cref="Actor"/> is the call's session actor (a child of the account):
/// send it <see cref="Answer"/>, <see cref="Reject"/> or <see cref="HangUp"/>, or use the methods
/// here from code outside actors. The account routes the same commands by Call-ID, and answers
/// them even after the call ended (the session actor stops when its call ends).
/// </summary>
public sealed record CallSession(AccountId Account, string CallId, string Originator, string From, string To, IActorRef Actor)
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Answers an incoming call with <paramref name="sdp"/> (the account's answer SDP, or a minimal inactive one, when null).</summary>
    public Task<CommandResult> AnswerAsync(string? sdp = null, TimeSpan? timeout = null)
        => Actor.Ask<CommandResult>(new Answer(Account, CallId, sdp), timeout ?? DefaultTimeout);

    /// <summary>Rejects an unanswered incoming call with a final 3xx-6xx status.</summary>
    public Task<CommandResult> RejectAsync(int statusCode = 486, TimeSpan? timeout = null)
        => Actor.Ask<CommandResult>(new Reject(Account, CallId, statusCode), timeout ?? DefaultTimeout);

    /// <summary>Ends the call however far it got (CANCEL, 480 or BYE).</summary>
    public Task<CommandResult> HangUpAsync(TimeSpan? timeout = null)
        => Actor.Ask<CommandResult>(new HangUp(Account, CallId), timeout ?? DefaultTimeout);
}
