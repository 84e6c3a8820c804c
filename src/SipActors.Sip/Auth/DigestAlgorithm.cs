namespace SipActors.Sip.Auth;

/// <summary>Digest algorithms (RFC 7616 §6.1, RFC 8760 for SIP).</summary>
public enum DigestAlgorithm
{
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
    Sha512_256,
    Sha512_256Sess,
}
