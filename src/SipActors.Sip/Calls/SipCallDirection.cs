namespace SipActors.Sip.Calls;

/// <summary>Who sent the INVITE: we (outgoing, originator local) or the peer (incoming, originator remote).</summary>
public enum SipCallDirection
{
    Outgoing,
    Incoming,
}
