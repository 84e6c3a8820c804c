using System.Net;
using SipActors.Sip.Registrar;
using SipActors.Sip.Registration;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registration;

/// <summary>The registration client over a real UDP socket against the embedded registrar on loopback.</summary>
public sealed class RegistrationClientTests : IAsyncLifetime
{
    // Short timers keep the timeout path fast; the protocol logic is the same. Only that test uses them:
    // under a loaded machine a 1.3 s Timer F would fail healthy exchanges.
    private static readonly SipTimerSettings FastTimers = new() { T1 = TimeSpan.FromMilliseconds(20), T2 = TimeSpan.FromMilliseconds(80), T4 = TimeSpan.FromMilliseconds(100) };

    private EmbeddedRegistrar _registrar = null!;
    private SipTimerWheel _wheel = null!;
    private SipTransactionLayer _transactions = null!;
    private UdpTransport _udp = null!;

    public Task InitializeAsync()
    {
        _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { PasswordRule = u => u == "blocked" ? null : "pw-" + u });
        _wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(5));
        _transactions = new SipTransactionLayer(_wheel);
        _udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), _transactions);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _udp.DisposeAsync();
        _wheel.Dispose();
        await _registrar.DisposeAsync();
    }

    private RegistrationClient Client(string user, string? password = null, int expires = 300, IPEndPoint? target = null)
        => new(_transactions, _udp.GetChannel(target ?? _registrar.UdpEndPoint), new RegistrationOptions
        {
            User = user,
            Domain = _registrar.Domain,
            Password = password ?? "pw-" + user,
            Expires = expires,
            DisplayName = "Test " + user,
            ExtraHeaders = [new("X-Vinteo-Remote", "10.0.0.1")],
        });

    [Fact]
    public async Task Should_register_after_one_challenge_refresh_in_one_round_trip_and_unregister()
    {
        var client = Client("alice");

        var registered = await client.RegisterAsync();
        var refreshed = await client.RegisterAsync();
        var binding = Assert.Single(_registrar.GetBindings("alice"));
        var unregistered = await client.UnregisterAsync();

        Assert.True(registered.Success, registered.Error);
        Assert.Equal((200, 300, 2), (registered.StatusCode!.Value, registered.GrantedExpires, registered.Attempts));
        Assert.True(refreshed.Success);
        Assert.Equal(1, refreshed.Attempts);
        Assert.Equal($"sip:alice@127.0.0.1:{_udp.LocalEndPoint.Port};transport=udp", binding.ContactUri);
        Assert.NotNull(binding.Instance);
        Assert.True(unregistered.Success);
        Assert.Equal(0, unregistered.GrantedExpires);
        Assert.Empty(_registrar.GetBindings("alice"));
    }

    [Fact]
    public async Task Should_take_over_from_the_client_of_a_lost_flow_removing_its_binding_with_the_same_call_id()
    {
        // A second socket stands for the new connection of a recovered TCP/WS account: another local port, another Contact.
        await using var second = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), _transactions);
        var lost = Client("dave");
        Assert.True((await lost.RegisterAsync()).Success);
        var recovered = new RegistrationClient(_transactions, second.GetChannel(_registrar.UdpEndPoint), new RegistrationOptions
        {
            User = "dave", Domain = _registrar.Domain, Password = "pw-dave",
        });

        recovered.ContinueFrom(lost);
        var staleUri = recovered.StaleContactUri;
        var result = await recovered.RegisterAsync();

        Assert.True(result.Success, result.Error);
        Assert.Equal(lost.CallId, recovered.CallId);
        Assert.Equal($"sip:dave@127.0.0.1:{_udp.LocalEndPoint.Port};transport=udp", staleUri);
        Assert.Null(recovered.StaleContactUri); // removed with that REGISTER
        var binding = Assert.Single(_registrar.GetBindings("dave"));
        Assert.Equal($"sip:dave@127.0.0.1:{second.LocalEndPoint.Port};transport=udp", binding.ContactUri);
    }

    [Fact]
    public async Task Should_carry_on_a_saved_binding_with_its_call_id_the_next_cseq_and_remove_its_contact()
    {
        // The saved binding stands for the record a cluster node wrote before it died; the second socket for the survivor.
        await using var second = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), _transactions);
        var gone = Client("erin");
        Assert.Null(gone.Binding);
        Assert.True((await gone.RegisterAsync()).Success);
        var saved = gone.Binding!;
        var before = Assert.Single(_registrar.GetBindings("erin"));
        Assert.Equal((before.CallId, before.CSeq, before.ContactUri), (saved.CallId, saved.CSeq, saved.ContactUri));

        var survivor = new RegistrationClient(_transactions, second.GetChannel(_registrar.UdpEndPoint), new RegistrationOptions
        {
            User = "erin", Domain = _registrar.Domain, Password = "pw-erin",
        });
        survivor.ContinueFrom(saved);
        Assert.Equal(saved.ContactUri, survivor.StaleContactUri);
        var result = await survivor.RegisterAsync();

        Assert.True(result.Success, result.Error);
        var after = Assert.Single(_registrar.GetBindings("erin"));
        Assert.Equal(saved.CallId, after.CallId);
        Assert.True(after.CSeq > saved.CSeq, $"CSeq {after.CSeq} after the saved {saved.CSeq}");
        Assert.Equal($"sip:erin@127.0.0.1:{second.LocalEndPoint.Port};transport=udp", after.ContactUri);
        Assert.Equal(new RegistrationBinding(saved.CallId, after.CSeq, after.ContactUri), survivor.Binding);
        Assert.True((await survivor.UnregisterAsync()).Success);
        Assert.Null(survivor.Binding);
    }

    [Fact]
    public async Task Should_fail_with_authentication_error_after_one_retry_on_a_wrong_password()
    {
        var result = await Client("bob", password: "wrong").RegisterAsync();

        Assert.False(result.Success);
        Assert.Equal(RegistrationFailureCause.AuthenticationError, result.Cause);
        Assert.Equal("Authentication Error", result.Cause!.Value.ToDisplayName());
        Assert.Equal((401, 2), (result.StatusCode!.Value, result.Attempts));
        Assert.Equal(1, _registrar.AuthenticationFailures);
        Assert.Empty(_registrar.GetBindings("bob"));
    }

    [Fact]
    public async Task Should_classify_a_refused_user_as_rejected()
    {
        var result = await Client("blocked").RegisterAsync();

        Assert.Equal((RegistrationFailureCause.Rejected, 403), (result.Cause!.Value, result.StatusCode!.Value));
    }

    [Fact]
    public async Task Should_retry_with_min_expires_after_423()
    {
        var result = await Client("carol", expires: 2).RegisterAsync();

        Assert.True(result.Success, result.Error);
        Assert.Equal(5, result.GrantedExpires);
        Assert.Equal(3, result.Attempts);
    }

    [Fact]
    public async Task Should_time_out_when_nobody_answers()
    {
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var fast = new SipTransactionLayer(_wheel, FastTimers);
        await using var udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), fast);
        var client = new RegistrationClient(fast, udp.GetChannel((IPEndPoint)silent.LocalEndPoint!),
            new RegistrationOptions { User = "dave", Domain = _registrar.Domain, Password = "pw-dave" });

        var result = await client.RegisterAsync();

        Assert.Equal(RegistrationFailureCause.RequestTimeout, result.Cause);
        Assert.Null(result.StatusCode);
        Assert.Contains("Timer F", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_register_and_unregister_a_thousand_accounts_over_one_socket()
    {
        var clients = Enumerable.Range(0, 1000).Select(i => Client($"user{i:D4}")).ToArray();

        var registered = await Task.WhenAll(clients.Select(c => c.RegisterAsync()));
        var usersAfterRegister = _registrar.RegisteredUsers;
        var unregistered = await Task.WhenAll(clients.Select(c => c.UnregisterAsync()));
        await Task.Delay(5500); // Timer K (T4 = 5 s) lets the completed transactions go

        Assert.All(registered, r => Assert.True(r.Success, $"{r.Cause} {r.StatusCode} {r.Error}"));
        Assert.Equal(1000, usersAfterRegister);
        Assert.All(unregistered, r => Assert.True(r.Success));
        Assert.Equal(0, _registrar.RegisteredUsers);
        Assert.Equal(0, _transactions.Count);
    }
}
