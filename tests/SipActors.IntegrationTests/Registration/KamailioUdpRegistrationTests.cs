using System.Net;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.Registration;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.IntegrationTests.Registration;

/// <summary>The registration client over the shared UDP socket against a real Kamailio.</summary>
public sealed class KamailioUdpRegistrationTests : IClassFixture<KamailioFixture>, IAsyncLifetime
{
    private readonly KamailioFixture _kamailio;
    private SipTimerWheel _wheel = null!;
    private SipTransactionLayer _transactions = null!;
    private UdpTransport _udp = null!;

    public KamailioUdpRegistrationTests(KamailioFixture kamailio) => _kamailio = kamailio;

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

    [Fact]
    public async Task Should_register_refresh_and_unregister()
    {
        var client = Client("kam-alice", expires: 10);

        var registered = await client.RegisterAsync();
        var dump = await _kamailio.DumpLocationsAsync();
        var refreshed = await client.RegisterAsync();
        var unregistered = await client.UnregisterAsync();
        var after = await _kamailio.DumpLocationsAsync();

        Assert.True(registered.Success, $"{registered.Cause} {registered.StatusCode} {registered.Error}\n{_kamailio.LogTail()}");
        Assert.Equal(10, registered.GrantedExpires);
        Assert.Contains("kam-alice", dump, StringComparison.Ordinal);
        Assert.True(refreshed.Success, $"{refreshed.Cause} {refreshed.StatusCode}");
        Assert.True(unregistered.Success);
        Assert.DoesNotContain("kam-alice", after, StringComparison.Ordinal);
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
