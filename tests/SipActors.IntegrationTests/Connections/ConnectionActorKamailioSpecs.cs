using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Events;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Connections;

/// <summary>The main CONTRACT.md §2 sequences of a ConnectionActor against a real Kamailio, including recovery after a restart.</summary>
public sealed class ConnectionActorKamailioSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly KamailioFixture _kamailio = new();
    private SipStack _stack = null!;

    public ConnectionActorKamailioSpecs(ITestOutputHelper output) : base(output: output)
    {
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, ConnectionTopics.All);
    }

    public async Task InitializeAsync()
    {
        await _kamailio.InitializeAsync();
        _stack = new SipStack(tls: new TlsOptions { TrustedCertificate = _kamailio.Certificate })
        {
            // Quick UDP server checks, so the UDP restart case finds the silent Kamailio in about two seconds.
            UdpServerCheck = new UdpServerCheckOptions { Interval = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromMilliseconds(500), FailuresToLose = 2 },
        };
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _kamailio.DisposeAsync();
    }

    private ConnectionParameters Parameters(string url, string user, string? password = null) => new()
    {
        SipServerIp = _kamailio.Domain,
        SipServerUrl = url,
        Register = true,
        User = user,
        Password = password ?? "pw-" + user,
        RegisterExpires = 60,
        ConnectionRecoveryMinInterval = 0.3,
        ConnectionRecoveryMaxInterval = 1,
    };

    private void ExpectTopics(params string[] topics)
    {
        var seen = new List<string>();
        foreach (var topic in topics)
        {
            var e = ExpectMsg<ConnectionEvent>(Wait);
            seen.Add(e.Topic);
            Assert.True(e.Topic == topic, $"expected {topic}, got {e}; so far [{string.Join(", ", seen)}]\n{_kamailio.LogTail()}");
        }
    }

    [Fact]
    public async Task Should_register_over_udp_and_fail_a_wrong_password_with_authentication_error()
    {
        var good = Sys.ActorOf(ConnectionActor.Props("good", _stack), "good");
        var result = await good.Ask<CommandResult>(new Connect("good", Parameters($"udp://127.0.0.1:{_kamailio.UdpPort}", "actor-good")), Wait);
        Assert.True(result.IsSuccess, result.Error);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
        Assert.Equal(1, await _kamailio.GetRegisteredUsersAsync());

        var bad = Sys.ActorOf(ConnectionActor.Props("bad", _stack), "bad");
        var failed = await bad.Ask<CommandResult>(new Connect("bad", Parameters($"udp://127.0.0.1:{_kamailio.UdpPort}", "actor-bad", "nope")), Wait);
        Assert.Equal(CommandStatus.Failed, failed.Status);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.RegistrationFailed,
            ConnectionTopics.ConnectFailed, ConnectionTopics.Disconnecting, ConnectionTopics.Disconnected);
        Assert.Equal(1, await _kamailio.GetRegisteredUsersAsync());
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    [InlineData("udp")]
    public async Task Should_recover_and_register_again_after_kamailio_restarts(string scheme)
    {
        var port = scheme switch { "tcp" => _kamailio.TcpPort, "ws" => _kamailio.WsPort, _ => _kamailio.UdpPort };
        var account = Sys.ActorOf(ConnectionActor.Props("r1", _stack), "r1");
        var result = await account.Ask<CommandResult>(new Connect("r1", Parameters($"{scheme}://127.0.0.1:{port}", "actor-" + scheme)), Wait);
        Assert.True(result.IsSuccess, result.Error);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);

        // Over UDP nothing breaks when Kamailio stops: it stays down long enough for the server check to find it silent.
        await _kamailio.RestartAsync(TimeSpan.FromMilliseconds(scheme == "udp" ? 3000 : 500));

        ExpectTopics(ConnectionTopics.Disconnected, ConnectionTopics.Unregistered);
        // Attempts while Kamailio is down fail quietly; the one that reaches it publishes the rest.
        var connecting = FishForMessage<Events.Connecting>(_ => true, Wait);
        Assert.True(connecting.Attempt >= 1);
        FishForMessage<ConnectionEvent>(e => e is ConnectedWithConfiguration, Wait);
        ExpectTopics(ConnectionTopics.Connected, ConnectionTopics.Registered);
        Assert.Equal(1, await _kamailio.GetRegisteredUsersAsync());
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no connect-* and no disconnecting for a recovery
    }

    [Fact]
    public async Task Should_exchange_messages_between_a_udp_and_a_websocket_account_through_kamailio()
    {
        var udp = Sys.ActorOf(ConnectionActor.Props("m-udp", _stack), "m-udp");
        var ws = Sys.ActorOf(ConnectionActor.Props("m-ws", _stack), "m-ws");
        Assert.True((await udp.Ask<CommandResult>(new Connect("m-udp", Parameters($"udp://127.0.0.1:{_kamailio.UdpPort}", "msg-udp")), Wait)).IsSuccess);
        Assert.True((await ws.Ask<CommandResult>(new Connect("m-ws", Parameters($"ws://127.0.0.1:{_kamailio.WsPort}", "msg-ws")), Wait)).IsSuccess);
        ReceiveN(14, Wait);

        // The port makes the Request-URI Kamailio's own ("myself"); a bare 127.0.0.1 would mean port 5060.
        var toWs = await udp.Ask<CommandResult>(new SendMessage("m-udp", $"sip:msg-ws@{_kamailio.Domain}:{_kamailio.UdpPort}", "udp to ws"), Wait);
        var toUdp = await ws.Ask<CommandResult>(new SendMessage("m-ws", $"sip:msg-udp@{_kamailio.Domain}:{_kamailio.UdpPort}", "ws to udp", "text/plain;charset=utf-8"), Wait);

        Assert.Equal((CommandStatus.Ok, 200), (toWs.Status, toWs.StatusCode));
        Assert.Equal((CommandStatus.Ok, 200), (toUdp.Status, toUdp.StatusCode));
        var messages = ReceiveN(4, Wait).Cast<NewMessage>().ToList();
        Assert.Contains(messages, m => m.Account.Value == "m-ws" && m.Originator == "remote" && m.Body == "udp to ws" && m.From.Contains("msg-udp", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Account.Value == "m-udp" && m.Originator == "remote" && m.Body == "ws to udp" && m.ContentType == "text/plain;charset=utf-8");
        Assert.Equal(2, messages.Count(m => m.Originator == "local"));
    }
}
