namespace SipActors.Sip.Headers;

/// <summary>
/// The <c>refresher</c> parameter of Session-Expires (RFC 4028 §4): which side of the transaction
/// that carried it sends the session refreshes. Relative to that transaction, so the same party is
/// <c>uac</c> in its own re-INVITE and <c>uas</c> in the peer's.
/// </summary>
public enum SipSessionRefresher
{
    /// <summary>The sender of the request refreshes.</summary>
    Uac,

    /// <summary>The answerer of the request refreshes.</summary>
    Uas,
}
