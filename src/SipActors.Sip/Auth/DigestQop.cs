namespace SipActors.Sip.Auth;

/// <summary>The quality of protection the client answers a challenge with, chosen once when the challenge is parsed.</summary>
internal enum DigestQop
{
    /// <summary>The challenge offered no qop: RFC 2069 compatibility form, no cnonce or nc.</summary>
    None,

    /// <summary><c>qop=auth</c>.</summary>
    Auth,

    /// <summary><c>qop=auth-int</c>: A2 also covers H(body).</summary>
    AuthInt,

    /// <summary>The challenge offered qop values, none of them auth or auth-int: it cannot be answered.</summary>
    Unsupported,
}
