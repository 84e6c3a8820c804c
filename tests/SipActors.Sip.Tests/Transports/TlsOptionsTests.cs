using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>What a TLS or WSS connection accepts: the system's check, a pinned certificate, a lab's own authorities.</summary>
public sealed class TlsOptionsTests
{
    private const SslPolicyErrors UnknownRoot = SslPolicyErrors.RemoteCertificateChainErrors;

    [Fact]
    public void Should_accept_a_server_whose_certificate_chains_to_a_trusted_authority()
    {
        using var authority = TestCertificates.Authority();
        using var server = TestCertificates.Server(authority);
        var tls = new TlsOptions { TrustedRoots = [authority] };

        Assert.True(tls.Accepts(server, null, UnknownRoot));
    }

    [Fact]
    public void Should_refuse_a_certificate_of_another_authority_and_a_name_that_does_not_match()
    {
        using var authority = TestCertificates.Authority();
        using var other = TestCertificates.Authority("CN=Someone else's CA");
        using var server = TestCertificates.Server(other);
        using var ours = TestCertificates.Server(authority);
        var tls = new TlsOptions { TrustedRoots = [authority] };

        Assert.False(tls.Accepts(server, null, UnknownRoot));
        Assert.False(tls.Accepts(ours, null, UnknownRoot | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(tls.Accepts(null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Should_replace_the_system_roots_with_the_authorities_given()
    {
        using var authority = TestCertificates.Authority();
        using var publicRootSigned = TestCertificates.Server(TestCertificates.Authority("CN=Stands for a public root"));

        // The platform found no fault (a publicly trusted server): with authorities of our own, that is not enough.
        Assert.False(new TlsOptions { TrustedRoots = [authority] }.Accepts(publicRootSigned, null, SslPolicyErrors.None));
        Assert.True(TlsOptions.Default.Accepts(publicRootSigned, null, SslPolicyErrors.None));
        Assert.False(TlsOptions.Default.Accepts(publicRootSigned, null, UnknownRoot));
    }

    [Fact]
    public void Should_accept_a_pinned_certificate_whatever_its_chain_but_not_under_another_name()
    {
        using var authority = TestCertificates.Authority();
        using var server = TestCertificates.Server(authority);
        var pinned = new TlsOptions { TrustedCertificate = X509CertificateLoader.LoadCertificate(server.RawData) };

        Assert.True(pinned.Accepts(server, null, UnknownRoot));
        Assert.False(pinned.Accepts(server, null, UnknownRoot | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.True(new TlsOptions { SkipCertificateValidation = true }.Accepts(null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }
}
