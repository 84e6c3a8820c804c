namespace SipActors.Sip.Auth;

/// <summary>
/// The digest algorithms this client can answer (RFC 7616 §6.1; RFC 8760 registers the same set for SIP).
/// The <c>-sess</c> variants hash the client nonce into A1 (RFC 7616 §3.4.2).
/// </summary>
public enum DigestAlgorithm
{
    /// <summary><c>MD5</c>: the RFC 2617 / RFC 3261 default, used when a challenge names no algorithm.</summary>
    Md5,

    /// <summary><c>MD5-sess</c>.</summary>
    Md5Sess,

    /// <summary><c>SHA-256</c>.</summary>
    Sha256,

    /// <summary><c>SHA-256-sess</c>.</summary>
    Sha256Sess,

    /// <summary><c>SHA-512-256</c>: FIPS 180-4 SHA-512/256, which is not a truncated SHA-512.</summary>
    Sha512_256,

    /// <summary><c>SHA-512-256-sess</c>.</summary>
    Sha512_256Sess,
}
