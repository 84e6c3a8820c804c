namespace SipActors.Sip.Calls;

/// <summary>Why a call ended.</summary>
public enum SipCallEndCause
{
    /// <summary>We sent BYE.</summary>
    LocalHangUp,

    /// <summary>The peer sent BYE.</summary>
    RemoteHangUp,

    /// <summary>Cancelled before the answer: by our CANCEL (outgoing) or the peer's (incoming).</summary>
    Cancelled,

    /// <summary>A final non-2xx response: sent by us (Reject) or received; the status says which.</summary>
    Rejected,

    /// <summary>A digest challenge came again after our credentials were sent (or we had none).</summary>
    AuthenticationFailed,

    /// <summary>Nobody answered within the call's no-answer timeout.</summary>
    NoAnswer,

    /// <summary>No final response to our INVITE (Timer B, or Timer C while ringing).</summary>
    RequestTimeout,

    /// <summary>Our 2xx was never acknowledged (RFC 3261 §13.3.1.4): we sent BYE.</summary>
    NoAck,

    /// <summary>A request of the call could not be sent.</summary>
    TransportError,

    /// <summary>The account's flow was lost or closed.</summary>
    ConnectionLost,

    /// <summary>
    /// RFC 4028 §10: no session refresh came within the session interval (we were not the
    /// refresher), or ours got no 2xx before it ran out: we sent BYE.
    /// </summary>
    SessionTimerExpired,
}
