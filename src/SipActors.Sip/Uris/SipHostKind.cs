namespace SipActors.Sip.Uris;

/// <summary>Which production of RFC 3261 <c>host</c> a SIP URI's host matched.</summary>
public enum SipHostKind
{
    /// <summary>A host name (<c>hostname</c>), kept lower-case.</summary>
    DomainName,

    /// <summary>A dotted-decimal IPv4 address.</summary>
    IPv4,

    /// <summary>An IPv6 reference, kept with its brackets.</summary>
    IPv6,
}
