using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SipActors.Cli.Tests.Load;

/// <summary>
/// A TLS server on loopback with a self-signed certificate for 127.0.0.1 that relays each
/// connection's bytes to a TCP server (the embedded registrar's TCP listener): a TLS registrar
/// for the tests, without a TLS listener in the registrar.
/// </summary>
internal sealed class TlsRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TlsRelay(IPEndPoint target) : this(target, null)
    {
    }

    /// <summary>A relay presenting <paramref name="certificate"/> (with its key), e.g. one a test CA signed; null makes a self-signed one.</summary>
    public TlsRelay(IPEndPoint target, X509Certificate2? certificate)
    {
        _target = target;
        if (certificate is not null)
        {
            Certificate = certificate;
            _listener.Start();
            _accepting = Task.Run(AcceptAsync);
            return;
        }
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public X509Certificate2 Certificate { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Writes the certificate (no key) as PEM, as a user would hand it to --tls-cert.</summary>
    public string WritePem(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(Certificate).WaitAsync(TimeSpan.FromSeconds(10), _stop.Token);
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(_target, _stop.Token);
                await using var plain = upstream.GetStream();
                // Either side ending ends both.
                await Task.WhenAny(tls.CopyToAsync(plain, _stop.Token), plain.CopyToAsync(tls, _stop.Token));
            }
            catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or ObjectDisposedException or SocketException or TimeoutException)
            {
                // A client that refused our certificate, or the end of the test.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Certificate.Dispose();
        _stop.Dispose();
    }
}
