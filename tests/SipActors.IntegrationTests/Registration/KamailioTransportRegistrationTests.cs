using SipActors.Sip;
using System.Net;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.Registration;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.IntegrationTests.Registration;

/// <summary>The registration client against a real Kamailio: every transport, a wrong password, and 1,000 accounts over one UDP socket.</summary>
public sealed class KamailioTransportRegistrationTests : IClassFixture<KamailioFixture>, IAsyncLifetime
{
    private readonly KamailioFixture _kamailio;
    private SipTimerWheel _wheel = null!;
    private SipTransactionLayer _transactions = null!;
    private UdpTransport _udp = null!;

    public KamailioTransportRegistrationTests(KamailioFixture kamailio) => _kamailio = kamailio;

    public Task InitializeAsync()
    {
        _wheel = new SipTimerWheel();
        _transactions = new SipTransactionLayer(_wheel);
        _udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), _transactions);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _udp.DisposeAsync();
        _wheel.Dispose();
    }

    private RegistrationClient Client(string user, string? password = null, int expires = 300)
        => new(_transactions, _udp.GetChannel(_kamailio.UdpEndPoint), new RegistrationOptions
        {
            User = user,
            Domain = _kamailio.Domain,
            Password = password ?? "pw-" + user,
            Expires = expires,
        });

    private async Task<SipChannel> ConnectAsync(SipTransportKind kind)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var tls = new TlsOptions { TrustedCertificate = _kamailio.Certificate };
        return kind switch
        {
            SipTransportKind.Udp => _udp.GetChannel(_kamailio.UdpEndPoint),
            SipTransportKind.Tcp => await StreamChannel.ConnectAsync(kind, new IPEndPoint(IPAddress.Loopback, _kamailio.TcpPort), _transactions, cancellationToken: timeout.Token),
            SipTransportKind.Tls => await StreamChannel.ConnectAsync(kind, new IPEndPoint(IPAddress.Loopback, _kamailio.TlsPort), _transactions, tls, cancellationToken: timeout.Token),
            SipTransportKind.Ws => await WebSocketChannel.ConnectAsync(new Uri($"ws://127.0.0.1:{_kamailio.WsPort}"), _transactions, cancellationToken: timeout.Token),
            _ => await WebSocketChannel.ConnectAsync(new Uri($"wss://127.0.0.1:{_kamailio.WssPort}"), _transactions, tls, cancellationToken: timeout.Token),
        };
    }

    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    [InlineData(SipTransportKind.Tls)]
    [InlineData(SipTransportKind.Ws)]
    [InlineData(SipTransportKind.Wss)]
    public async Task Should_register_refresh_and_unregister(SipTransportKind kind)
    {
        var user = "t-" + kind.ToString().ToLowerInvariant();
        var channel = await ConnectAsync(kind);
        var client = new RegistrationClient(_transactions, channel, new RegistrationOptions
        {
            User = user, Domain = _kamailio.Domain, Password = "pw-" + user, Expires = 10,
        });

        var registered = await client.RegisterAsync();
        var dump = await _kamailio.DumpLocationsAsync();
        var refreshed = await client.RegisterAsync();
        var unregistered = await client.UnregisterAsync();
        var after = await _kamailio.DumpLocationsAsync();
        if (channel is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        Assert.True(registered.Success, $"{kind}: {registered.Cause} {registered.StatusCode} {registered.Error}\n{_kamailio.LogTail()}");
        Assert.Equal(10, registered.GrantedExpires);
        Assert.Contains(user, dump, StringComparison.Ordinal);
        Assert.Contains($"transport={kind.UriParameter()}", dump, StringComparison.OrdinalIgnoreCase);
        Assert.True(refreshed.Success, $"{kind}: {refreshed.Cause} {refreshed.StatusCode}");
        Assert.Equal(1, refreshed.Attempts);
        Assert.True(unregistered.Success, $"{kind}: {unregistered.Cause} {unregistered.StatusCode}");
        Assert.DoesNotContain(user, after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_report_a_refused_connection_as_a_transport_error()
    {
        var closed = Peers.FreePorts.Take(1)[0];

        var error = await Assert.ThrowsAsync<SipTransportException>(() =>
            StreamChannel.ConnectAsync(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Loopback, closed), _transactions));

        Assert.Contains("TCP connection to 127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_an_untrusted_certificate_by_default()
    {
        var error = await Assert.ThrowsAsync<SipTransportException>(() =>
            StreamChannel.ConnectAsync(SipTransportKind.Tls, new IPEndPoint(IPAddress.Loopback, _kamailio.TlsPort), _transactions));

        Assert.Contains("TLS connection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_report_the_loss_of_a_connection_exactly_once()
    {
        var channel = (StreamChannel)await ConnectAsync(SipTransportKind.Tcp);
        var losses = 0;
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Closed += (_, _) =>
        {
            Interlocked.Increment(ref losses);
            lost.TrySetResult();
        };

        await channel.CloseAsync();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await channel.DisposeAsync();

        Assert.Equal(1, losses);
        Assert.True(channel.IsClosed);
        await Assert.ThrowsAsync<SipTransportException>(async () => await channel.SendAsync("x"u8.ToArray()));
    }

    [Fact]
    public async Task Should_get_pongs_for_keep_alive_pings_from_kamailio()
    {
        var channel = (StreamChannel)await ConnectAsync(SipTransportKind.Tcp);

        channel.StartKeepAlive(_wheel, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(150));
        await Task.Delay(1000);

        Assert.False(channel.IsClosed, "Kamailio answered every ping, so the connection stays up");
        Assert.True(channel.LastPongTick > 0, "a CRLF pong arrived");
        await channel.DisposeAsync();
    }

    [Fact]
    public async Task Should_declare_a_silent_connection_dead_when_no_pong_comes()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var channel = await StreamChannel.ConnectAsync(SipTransportKind.Tcp, silent.LocalEndpoint, _transactions);
        using var accepted = await silent.AcceptTcpClientAsync();
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Closed += (_, error) => lost.TrySetResult(error);

        channel.StartKeepAlive(_wheel, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        var error = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Contains("no keep-alive pong", error!.Message, StringComparison.Ordinal);
        await channel.DisposeAsync();
    }

    [Fact]
    public async Task Should_report_authentication_error_without_retrying_on_a_wrong_password()
    {
        var result = await Client("kam-bob", password: "not-the-password").RegisterAsync();

        Assert.False(result.Success);
        Assert.Equal((RegistrationFailureCause.AuthenticationError, 401, 2), (result.Cause!.Value, result.StatusCode!.Value, result.Attempts));
    }

    [Fact]
    public async Task Should_register_a_thousand_accounts_over_one_socket_as_kamailio_counts_them()
    {
        var before = await _kamailio.GetRegisteredUsersAsync();
        var clients = Enumerable.Range(0, 1000).Select(i => Client($"load{i:D4}")).ToArray();

        var registered = await Task.WhenAll(clients.Select(c => c.RegisterAsync()));
        var during = await _kamailio.GetRegisteredUsersAsync();
        var unregistered = await Task.WhenAll(clients.Select(c => c.UnregisterAsync()));
        var after = await _kamailio.GetRegisteredUsersAsync();

        Assert.All(registered, r => Assert.True(r.Success, $"{r.Cause} {r.StatusCode} {r.Error}"));
        Assert.Equal(before + 1000, during);
        Assert.All(unregistered, r => Assert.True(r.Success, $"{r.Cause} {r.StatusCode} {r.Error}"));
        Assert.Equal(before, after);
    }
}
