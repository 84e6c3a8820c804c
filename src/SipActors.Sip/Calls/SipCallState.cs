namespace SipActors.Sip.Calls;

/// <summary>Where a call is (RFC 3261 dialog states, plus the time before any provisional).</summary>
public enum SipCallState
{
    /// <summary>INVITE sent or received; no provisional yet (beyond 100 Trying).</summary>
    Calling,

    /// <summary>A provisional (180/183) was sent or received: the early phase.</summary>
    Early,

    /// <summary>A 2xx was sent or received: the dialog is confirmed.</summary>
    Confirmed,

    /// <summary>Over; see <see cref="SipCallEvent.Cause"/> of the Ended event.</summary>
    Ended,
}
