namespace SipActors.Sip.Calls;

/// <summary>The steps of a call's life, in the order they can happen.</summary>
public enum SipCallEventKind
{
    /// <summary>180 Ringing sent (incoming) or received (outgoing).</summary>
    Ringing,

    /// <summary>Another provisional (183 Session Progress and the like) received, possibly with early SDP.</summary>
    Progress,

    /// <summary>A 2xx to the INVITE was sent or received: the dialog exists.</summary>
    Answered,

    /// <summary>The ACK for the 2xx was sent (outgoing) or received (incoming): media may flow.</summary>
    Confirmed,

    /// <summary>
    /// A re-INVITE (or, with session timers, the peer's UPDATE) was answered 2xx, by either side: a
    /// change of the session or a session refresh; <see cref="SipCallEvent.RemoteSdp"/> is the peer's current SDP.
    /// </summary>
    Updated,

    /// <summary>The call is over; <see cref="SipCallEvent.Cause"/> says why. Always the last event, raised once.</summary>
    Ended,
}
