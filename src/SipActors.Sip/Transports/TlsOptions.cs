using System.Security.Cryptography.X509Certificates;

namespace SipActors.Sip.Transports;

/// <summary>
/// How a TLS or WSS connection checks the server. By default the certificate must chain to a
/// trusted root and match the host name; tests may trust one given certificate, or (explicitly)
/// skip the check.
/// </summary>
public sealed record TlsOptions
{
    public static TlsOptions Default { get; } = new();

    /// <summary>Name checked against the certificate (SNI too); defaults to the host connected to.</summary>
    public string? TargetHost { get; init; }

    /// <summary>A certificate trusted as is (for a self-signed test server), besides the system roots.</summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>Accept any certificate. Only for tests on loopback: it removes TLS's protection against impostors.</summary>
    public bool SkipCertificateValidation { get; init; }
}
