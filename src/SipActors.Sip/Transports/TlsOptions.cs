using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SipActors.Sip.Transports;

/// <summary>
/// How a TLS or WSS connection checks the server. By default the certificate must chain to a
/// trusted root and match the host name; a lab may name its own certificate authorities instead
/// of the system's, trust one given certificate, or (explicitly, in tests) skip the check.
/// </summary>
public sealed record TlsOptions
{
    public static TlsOptions Default { get; } = new();

    /// <summary>Name checked against the certificate (SNI too); defaults to the host connected to.</summary>
    public string? TargetHost { get; init; }

    /// <summary>A certificate trusted as is (for a self-signed test server), besides the system roots.</summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>
    /// Certificate authorities that replace the system's roots (a lab's own CA): the server's
    /// certificate must chain to one of them, through the intermediates it sends, and match the
    /// host name. Empty (the default) trusts the system's roots.
    /// </summary>
    public X509Certificate2Collection TrustedRoots { get; init; } = [];

    /// <summary>Accept any certificate. Only for tests on loopback: it removes TLS's protection against impostors.</summary>
    public bool SkipCertificateValidation { get; init; }

    /// <summary>Whether a server presenting <paramref name="certificate"/> passes these checks, given what the platform's own check found.</summary>
    internal bool Accepts(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (SkipCertificateValidation)
        {
            return true;
        }
        // Whatever the trust, the certificate must be there and name the host; only the chain may be left to us.
        var onlyTheChain = certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
        // A pinned certificate is trusted as itself, whatever its chain.
        if (onlyTheChain && TrustedCertificate is not null && certificate!.GetCertHashString() == TrustedCertificate.GetCertHashString())
        {
            return true;
        }
        if (TrustedRoots.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }
        return onlyTheChain && ChainsToTrustedRoots(certificate!, chain);
    }

    private bool ChainsToTrustedRoots(X509Certificate certificate, X509Chain? sent)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(TrustedRoots);
        // A lab CA publishes no revocation list; the system's check of public roots does its own.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (sent is not null)
        {
            foreach (var element in sent.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            return custom.Build(leaf);
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate))
            {
                leaf.Dispose();
            }
        }
    }
}
