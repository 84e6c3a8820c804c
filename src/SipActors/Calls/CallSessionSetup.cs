using Akka.Actor;
using SipActors.Sip.Calls;
using SipActors.Sip.Transactions;

namespace SipActors.Calls;

/// <summary>What a session actor starts from: the account's call settings plus the call to place or the INVITE to handle.</summary>
internal sealed record CallSessionSetup(SipCallOptions Options, IncomingCallPolicy Policy, string? AnswerSdp)
{
    private static readonly CallSessionSetup Default = new(SipCallOptions.Default, IncomingCallPolicy.Ring, null);

    /// <summary>The setup of an account's calls; accounts with the default call settings share one (every idle account holds it).</summary>
    public static CallSessionSetup For(Connections.ConnectionParameters parameters)
    {
        var noAnswer = TimeSpan.FromSeconds(parameters.NoAnswerTimeout);
        if (parameters.IncomingCalls == Default.Policy && parameters.AnswerSdp is null && !parameters.SessionTimers
            && noAnswer == SipCallOptions.Default.NoAnswerTimeout)
        {
            return Default;
        }
        return new CallSessionSetup(SipCallOptions.Default with { NoAnswerTimeout = noAnswer, SessionTimers = parameters.SessionTimers },
            parameters.IncomingCalls, parameters.AnswerSdp);
    }

    public Call? Outgoing { get; init; }
    public IActorRef? ReplyTo { get; init; }
    public SipServerTransaction? Invite { get; init; }
}
