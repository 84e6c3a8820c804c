namespace SipActors.Sip.Uris;

/// <summary>What the host of a SIP URI is.</summary>
public enum SipHostKind
{
    DomainName,
    IPv4,
    IPv6,
}
