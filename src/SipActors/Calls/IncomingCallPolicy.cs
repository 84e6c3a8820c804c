namespace SipActors.Calls;

/// <summary>What an account does with an incoming INVITE (CONTRACT.md §2). Config names in brackets.</summary>
public enum IncomingCallPolicy
{
    /// <summary>[ring] <c>newRTCSession</c>, 180 Ringing, then wait for Answer/Reject/HangUp until the no-answer timeout (480).</summary>
    Ring,

    /// <summary>[auto-answer] <c>newRTCSession</c>, then 200 with the account's answer SDP (or a minimal inactive one).</summary>
    AutoAnswer,

    /// <summary>[reject] <c>newRTCSession</c>, then 486 Busy Here.</summary>
    Reject,

    /// <summary>[ignore-event] No event; 405 Method Not Allowed, as the seed's library answers when nobody listens for calls.</summary>
    IgnoreEvent,
}
