using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.Registrar;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.Tests.Connections;

/// <summary>The orderings of CONTRACT.md §2 against the embedded registrar on loopback.</summary>
public sealed class ConnectionActorSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private volatile bool _refuseEveryone;
    private readonly EmbeddedRegistrar _registrar;
    private readonly SipStack _stack = new();

    public ConnectionActorSpecs(ITestOutputHelper output) : base(output: output)
    {
        _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { PasswordRule = u => _refuseEveryone ? null : "pw-" + u });
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, ConnectionTopics.All);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _registrar.DisposeAsync();
    }

    private string UdpUrl => $"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}";

    private ConnectionParameters Parameters(string user = "alice", bool register = true, string? password = null) => new()
    {
        SipServerIp = _registrar.Domain,
        SipServerUrl = UdpUrl,
        DisplayName = "  Alice  In Wonderland ",
        Register = register,
        User = user,
        Password = password ?? "pw-" + user,
        RemoteAddress = "10.1.2.3",
    };

    private IActorRef Account(string id = "a1", ConnectionActorSettings? settings = null)
        => Sys.ActorOf(ConnectionActor.Props(id, _stack, settings), id);

    /// <summary>Reads events until the listed topics have arrived in this order, failing on any other.</summary>
    private List<ConnectionEvent> ExpectTopics(params string[] topics)
    {
        var seen = new List<ConnectionEvent>();
        foreach (var topic in topics)
        {
            var e = ExpectMsg<ConnectionEvent>(Wait);
            seen.Add(e);
            Assert.True(e.Topic == topic, $"expected {topic}, got {e.Topic} after [{string.Join(", ", seen.Select(x => x.Topic))}]: {e}");
        }
        return seen;
    }

    private static Task<CommandResult> AskAsync(IActorRef account, object command)
        => account.Ask<CommandResult>(command, Wait);

    [Fact]
    public void Should_publish_the_connect_sequence_without_register()
    {
        var account = Account();

        account.Tell(new Connect("a1", Parameters(register: false)), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.ConnectSucceeded);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        var connecting = Assert.IsType<SipActors.Events.Connecting>(events[2]);
        Assert.Equal((0, $"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}"), (connecting.Attempt, connecting.TransportUri));
        var configuration = Assert.IsType<ConnectSucceeded>(events[5]).Configuration;
        Assert.InRange(int.Parse(configuration.User, System.Globalization.CultureInfo.InvariantCulture), 100000, 99999999);
        Assert.Equal("Alice_In_Wonderland", configuration.DisplayName);
        Assert.Equal(0, _registrar.RegisteredUsers);
    }

    [Fact]
    public async Task Should_publish_registered_between_connected_and_connect_succeeded_then_unregister_on_disconnect()
    {
        var account = Account();

        account.Tell(new Connect("a1", Parameters()), TestActor);
        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        var registered = Assert.IsType<Registered>(events[5]);
        Assert.Equal((200, 300), (registered.StatusCode, registered.Expires));
        Assert.Single(_registrar.GetBindings("alice"));
        Assert.Equal(ConnectionStatus.Registered, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);

        account.Tell(new Disconnect("a1"), TestActor);
        ExpectTopics(ConnectionTopics.Disconnecting, ConnectionTopics.Unregistered, ConnectionTopics.Disconnected);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        Assert.Empty(_registrar.GetBindings("alice"));
        Assert.Equal(CommandStatus.NoOp, (await AskAsync(account, new Disconnect("a1"))).Status);
    }

    [Fact]
    public void Should_fail_with_authentication_error_and_tear_down_on_a_wrong_password()
    {
        var account = Account();

        account.Tell(new Connect("a1", Parameters(password: "wrong")), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.RegistrationFailed,
            ConnectionTopics.ConnectFailed, ConnectionTopics.Disconnecting, ConnectionTopics.Disconnected);
        var failed = Assert.IsType<RegistrationFailed>(events[5]);
        Assert.Equal((401, "Authentication Error"), (failed.StatusCode, failed.Cause));
        Assert.Equal("Authentication Error", Assert.IsType<ConnectFailed>(events[6]).Cause);
        Assert.Equal(CommandStatus.Failed, ExpectMsg<CommandResult>(Wait).Status);
        Assert.Equal(1, _registrar.AuthenticationFailures);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no automatic retry
    }

    [Fact]
    public void Should_report_a_failing_provider()
    {
        var account = Account();

        account.Tell(new Connect("a1", Provider: _ => Task.FromException<ConnectionParameters>(new InvalidOperationException("vault unreachable"))), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveFailed, ConnectionTopics.ConnectFailed);
        Assert.Equal("vault unreachable", Assert.IsType<ConnectParametersResolveFailed>(events[1]).Error);
        Assert.Equal(CommandStatus.Failed, ExpectMsg<CommandResult>(Wait).Status);
    }

    [Fact]
    public void Should_time_out_a_provider_that_never_answers()
    {
        var account = Account(settings: new ConnectionActorSettings { ProviderTimeout = TimeSpan.FromMilliseconds(200) });

        account.Tell(new Connect("a1", Provider: ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => Parameters(), TaskScheduler.Default)), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveFailed, ConnectionTopics.ConnectFailed);
        Assert.Contains("did not answer", Assert.IsType<ConnectParametersResolveFailed>(events[1]).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_invalid_field()
    {
        var account = Account();

        account.Tell(new Connect("a1", Parameters() with { User = " ", SipServerUrl = "gopher://x" }), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.ConnectFailed);
        var error = Assert.IsType<ConnectFailed>(events[2]).Error;
        Assert.Contains("User is required", error, StringComparison.Ordinal);
        Assert.Contains("SipServerUrl has an unknown scheme 'gopher'", error, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, ExpectMsg<CommandResult>(Wait).Status);
    }

    [Fact]
    public void Should_fail_a_connect_to_a_silent_server_after_the_connect_timeout()
    {
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var account = Account(settings: new ConnectionActorSettings { ConnectTimeout = TimeSpan.FromMilliseconds(500) });

        account.Tell(new Connect("a1", Parameters() with { SipServerUrl = $"udp://127.0.0.1:{((IPEndPoint)silent.LocalEndPoint!).Port}" }), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting, ConnectionTopics.ConnectFailed);
        var failed = Assert.IsType<ConnectFailed>(events[3]);
        Assert.Contains("did not connect within", failed.Error, StringComparison.Ordinal);
        Assert.Equal("Connection Error", failed.Cause);
        Assert.Equal(CommandStatus.Failed, ExpectMsg<CommandResult>(Wait).Status);
    }

    [Fact]
    public async Task Should_disconnect_the_old_connection_first_when_connecting_while_connected()
    {
        var account = Account();
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", Parameters()))).Status);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);

        account.Tell(new Connect("a1", Parameters(register: false)), TestActor);

        ExpectTopics(ConnectionTopics.Disconnecting, ConnectionTopics.Unregistered, ConnectionTopics.Disconnected,
            ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.ConnectSucceeded);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        Assert.Empty(_registrar.GetBindings("alice"));
    }

    [Fact]
    public void Should_tell_a_superseded_caller_so_and_finish_the_newer_connect()
    {
        var account = Account();
        var first = CreateTestProbe();

        account.Tell(new Connect("a1", Provider: async ct => { await Task.Delay(300, ct); return Parameters(); }), first);
        account.Tell(new Connect("a1", Parameters(register: false)), TestActor);

        Assert.Equal(CommandStatus.Superseded, first.ExpectMsg<CommandResult>(Wait).Status);
        FishForMessage<CommandResult>(r => r.Status == CommandStatus.Ok, Wait);
        Assert.DoesNotContain(ReceiveWhile(TimeSpan.FromMilliseconds(500), o => o), e => e is ConnectFailed);
    }

    [Fact]
    public void Should_deliver_one_topic_to_a_subscriber_of_that_topic_string()
    {
        var probe = CreateTestProbe();
        ConnectionTopics.Subscribe(Sys.EventStream, probe, "connection:registered");
        var account = Account();

        account.Tell(new Connect("a1", Parameters()), TestActor);

        var registered = probe.ExpectMsg<Registered>(Wait);
        Assert.Equal("a1", registered.Account.Value);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Should_keep_passwords_out_of_events_text_and_json()
    {
        var account = Account();
        account.Tell(new Connect("a1", Parameters(password: "pw-alice")), TestActor);

        var events = ReceiveN(8, Wait).OfType<ConnectionEvent>().ToList();

        Assert.All(events, e =>
        {
            Assert.DoesNotContain("pw-alice", e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("pw-alice", e.ToJson(), StringComparison.Ordinal);
        });
        Assert.Contains("\"topic\":\"connection:connect-parameters-resolve-success\"", events[1].ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_publish_incoming_messages_of_a_registered_account()
    {
        var account = Account();
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", Parameters()))).Status);
        ReceiveN(7, Wait);
        await using var peerStack = new SipStackScope();
        // Another account of the same process sends a MESSAGE straight to alice's contact.
        var alice = _registrar.GetBindings("alice")[0].ContactUri;
        var response = await peerStack.SendMessageAsync(alice, "hello alice");

        Assert.Equal(200, response.StatusCode);
        var message = ExpectMsg<NewMessage>(Wait);
        Assert.Equal(("remote", "hello alice", "text/plain"), (message.Originator, message.Body, message.ContentType));
    }

    [Fact]
    public async Task Should_publish_unregistered_and_stop_retrying_when_a_refresh_is_rejected()
    {
        var account = Account();
        // 6 s bindings refresh after 1 s (E - 5 s for E <= 64).
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", Parameters() with { RegisterExpires = 6 }))).Status);
        ReceiveN(7, Wait);
        var registrations = _registrar.SuccessfulRegistrations;

        _refuseEveryone = true;

        var unregistered = ExpectMsg<Unregistered>(TimeSpan.FromSeconds(5));
        Assert.Equal((403, "Rejected"), (unregistered.StatusCode, unregistered.Cause));
        ExpectNoMsg(TimeSpan.FromSeconds(2)); // 403 is final: no retry storm, no further events
        Assert.Equal(registrations, _registrar.SuccessfulRegistrations);
        Assert.Equal(ConnectionStatus.Connected, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);
    }

    [Fact]
    public async Task Should_refresh_before_expiry_without_publishing_anything()
    {
        var durations = new System.Collections.Concurrent.ConcurrentQueue<(double Seconds, string? Kind, string? Transport)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SipActors.Diagnostics.SipActorsMetrics.MeterName && instrument.Name == SipActors.Diagnostics.SipActorsMetrics.RegistrationDuration)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? kind = null, transport = null;
            foreach (var tag in tags)
            {
                kind = tag.Key == "kind" ? tag.Value as string : kind;
                transport = tag.Key == "transport" ? tag.Value as string : transport;
            }
            durations.Enqueue((value, kind, transport));
        });
        listener.Start();
        var account = Account();
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", Parameters() with { RegisterExpires = 6 }))).Status);
        ReceiveN(7, Wait);
        var registrations = _registrar.SuccessfulRegistrations;

        ExpectNoMsg(TimeSpan.FromSeconds(2.5)); // a refresh happened at ~1 s: it is counted, not published

        Assert.True(_registrar.SuccessfulRegistrations > registrations, "the binding was refreshed");
        Assert.Single(_registrar.GetBindings("alice"));
        // The latency histogram has the initial REGISTER and the refresh (other tests may add theirs).
        Assert.Contains(durations, d => d.Kind == "initial" && d.Transport == "udp" && d.Seconds is >= 0 and < 10);
        Assert.Contains(durations, d => d.Kind == "refresh" && d.Transport == "udp" && d.Seconds is >= 0 and < 10);
    }

    [Fact]
    public async Task Should_not_refresh_after_an_unregister_command()
    {
        var account = Account();
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", Parameters() with { RegisterExpires = 6 }))).Status);
        ReceiveN(7, Wait);

        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Unregister("a1"))).Status);
        ExpectTopics(ConnectionTopics.Unregistered);
        var registrations = _registrar.SuccessfulRegistrations;

        ExpectNoMsg(TimeSpan.FromSeconds(2.5)); // the refresh due at ~1 s was cancelled with the registration

        Assert.Equal(registrations, _registrar.SuccessfulRegistrations);
        Assert.Empty(_registrar.GetBindings("alice"));
        Assert.Equal(ConnectionStatus.Connected, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);
    }

    [Fact]
    public async Task Should_recover_over_tcp_when_the_registrar_comes_back()
    {
        var first = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        var tcp = first.TcpEndPoint!;
        var account = Account();
        var parameters = Parameters() with
        {
            SipServerUrl = $"tcp://127.0.0.1:{tcp.Port}", ConnectionRecoveryMinInterval = 0.2, ConnectionRecoveryMaxInterval = 0.5,
        };
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", parameters))).Status);
        ReceiveN(7, Wait);

        await first.DisposeAsync();
        ExpectTopics(ConnectionTopics.Disconnected, ConnectionTopics.Unregistered);
        await using var second = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { TcpEndPoint = tcp });

        var connecting = FishForMessage<SipActors.Events.Connecting>(_ => true, Wait);
        Assert.True(connecting.Attempt >= 1);
        FishForMessage<ConnectionEvent>(e => e is ConnectedWithConfiguration, Wait);
        ExpectTopics(ConnectionTopics.Connected, ConnectionTopics.Registered);
        Assert.Single(second.GetBindings("alice"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // a recovery publishes no connect-* and no disconnecting
    }

    [Fact]
    public async Task Should_notice_a_silent_udp_server_and_recover_when_it_comes_back()
    {
        // UDP has no connection to break: the stack's server check (one OPTIONS per silent server) finds the loss.
        await using var stack = new SipStack
        {
            UdpServerCheck = new UdpServerCheckOptions { Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromMilliseconds(300), FailuresToLose = 2 },
        };
        var first = EmbeddedRegistrar.Start();
        var udp = first.UdpEndPoint;
        var account = Sys.ActorOf(ConnectionActor.Props("u1", stack, new ConnectionActorSettings { ConnectTimeout = TimeSpan.FromSeconds(1) }), "u1");
        var parameters = Parameters() with
        {
            SipServerUrl = $"udp://127.0.0.1:{udp.Port}", ConnectionRecoveryMinInterval = 0.2, ConnectionRecoveryMaxInterval = 0.5,
        };
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("u1", parameters))).Status);
        ReceiveN(7, Wait);

        await first.DisposeAsync();
        var lost = Assert.IsType<SipActors.Events.Disconnected>(ExpectTopics(ConnectionTopics.Disconnected, ConnectionTopics.Unregistered)[0]);
        Assert.True(lost.Error);
        Assert.Contains("stopped answering", lost.Reason, StringComparison.Ordinal);
        await using var second = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = udp });

        FishForMessage<ConnectionEvent>(e => e is ConnectedWithConfiguration, TimeSpan.FromSeconds(15));
        ExpectTopics(ConnectionTopics.Connected, ConnectionTopics.Registered);
        Assert.Single(second.GetBindings("alice"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // the server answers again: no further loss
    }

    [Fact]
    public async Task Should_receive_a_message_relayed_by_the_registrar_and_its_answer_goes_back()
    {
        var account = Account();
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", Parameters()))).Status);
        ReceiveN(7, Wait);
        await using var peer = new SipStackScope();
        var registrar = $"sip:alice@127.0.0.1:{_registrar.UdpEndPoint.Port}";

        var response = await peer.SendMessageAsync(registrar, "via the registrar");
        var unknown = await peer.SendMessageAsync($"sip:nobody@127.0.0.1:{_registrar.UdpEndPoint.Port}", "lost");

        Assert.Equal(200, response.StatusCode);
        Assert.Single(response.Vias); // the registrar's own Via was taken off on the way back
        Assert.Equal("via the registrar", ExpectMsg<NewMessage>(Wait).Body);
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task Should_register_over_websocket_and_get_a_message_relayed_from_udp()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { WsEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        var account = Account();
        var parameters = Parameters() with { SipServerUrl = $"ws://127.0.0.1:{registrar.WsEndPoint!.Port}" };

        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Connect("a1", parameters))).Status);
        ReceiveN(7, Wait);
        Assert.EndsWith(";transport=ws", Assert.Single(registrar.GetBindings("alice")).ContactUri, StringComparison.Ordinal);
        await using var peer = new SipStackScope();
        var response = await peer.SendMessageAsync($"sip:alice@127.0.0.1:{registrar.UdpEndPoint.Port}", "from udp to ws");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("from udp to ws", ExpectMsg<NewMessage>(Wait).Body);

        // A message larger than the WebSocket reader's first buffer: it grows, the message arrives whole.
        var large = string.Concat(Enumerable.Repeat("0123456789abcdef", 1500)); // 24,000 bytes
        var largeResponse = await peer.SendMessageAsync($"sip:alice@127.0.0.1:{registrar.UdpEndPoint.Port}", large);
        Assert.Equal(200, largeResponse.StatusCode);
        Assert.Equal(large, ExpectMsg<NewMessage>(Wait).Body);
    }

    [Fact]
    public async Task Should_unregister_and_register_again_on_commands_staying_connected()
    {
        var account = Account();
        account.Tell(new Connect("a1", Parameters()), TestActor);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
        ExpectMsg<CommandResult>(Wait);

        Assert.Equal(CommandStatus.NoOp, (await AskAsync(account, new Register("a1"))).Status);
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Unregister("a1"))).Status);
        var unregistered = Assert.IsType<Unregistered>(ExpectTopics(ConnectionTopics.Unregistered)[0]);
        Assert.Equal((200, "Unregistered"), (unregistered.StatusCode, unregistered.Cause));
        Assert.Empty(_registrar.GetBindings("alice"));
        Assert.Equal(ConnectionStatus.Connected, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);
        Assert.Equal(CommandStatus.NoOp, (await AskAsync(account, new Unregister("a1"))).Status);

        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Register("a1"))).Status);
        ExpectTopics(ConnectionTopics.Registered);
        Assert.Single(_registrar.GetBindings("alice"));
        Assert.Equal(ConnectionStatus.Registered, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_answer_register_commands_that_cannot_be_carried_out_with_the_reason()
    {
        var account = Account();

        var whileIdle = await AskAsync(account, new Register("a1"));
        Assert.Equal(CommandStatus.NoOp, (await AskAsync(account, new Unregister("a1"))).Status);

        account.Tell(new Connect("a1", Parameters(register: false)), TestActor);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.ConnectSucceeded);
        ExpectMsg<CommandResult>(Wait);
        var withoutCredentials = await AskAsync(account, new Register("a1"));

        Assert.Equal(CommandStatus.Failed, whileIdle.Status);
        Assert.Contains("not connected", whileIdle.Error, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, withoutCredentials.Status);
        Assert.Contains("Register = false", withoutCredentials.Error, StringComparison.Ordinal);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_keep_the_transport_when_a_register_command_is_refused()
    {
        var account = Account();
        account.Tell(new Connect("a1", Parameters()), TestActor);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
        ExpectMsg<CommandResult>(Wait);
        Assert.Equal(CommandStatus.Ok, (await AskAsync(account, new Unregister("a1"))).Status);
        ExpectTopics(ConnectionTopics.Unregistered);

        _refuseEveryone = true;
        var refused = await AskAsync(account, new Register("a1"));

        Assert.Equal(CommandStatus.Failed, refused.Status);
        var failed = Assert.IsType<RegistrationFailed>(ExpectTopics(ConnectionTopics.RegistrationFailed)[0]);
        Assert.Equal((403, "Rejected"), (failed.StatusCode, failed.Cause)); // the registrar forbids users it has no password for
        Assert.Equal(ConnectionStatus.Connected, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_answer_a_register_sent_during_the_connect_once_it_settled()
    {
        var account = Account();

        account.Tell(new Connect("a1", Parameters()), TestActor);
        var duringConnect = AskAsync(account, new Register("a1"));

        Assert.Equal(CommandStatus.NoOp, (await duringConnect).Status);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
    }

    [Fact]
    public async Task Should_decide_every_command_sent_during_the_connect_once_it_settled()
    {
        var account = Account();

        account.Tell(new Connect("a1", Parameters()), TestActor);
        // Both kept while connecting, then decided one after the other: a kept command left
        // behind would never be answered, and the binding would stay.
        var register = CreateTestProbe();
        var unregister = CreateTestProbe();
        account.Tell(new Register("a1"), register);
        account.Tell(new Unregister("a1"), unregister);

        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        Assert.Equal(CommandStatus.NoOp, register.ExpectMsg<CommandResult>(Wait).Status);
        Assert.Equal(CommandStatus.Ok, unregister.ExpectMsg<CommandResult>(Wait).Status);
        ExpectTopics(ConnectionTopics.Unregistered);
        Assert.Empty(_registrar.GetBindings("alice"));
        Assert.Equal(ConnectionStatus.Connected, (await account.Ask<ConnectionStateResult>(new GetState("a1"), Wait)).Status);
    }

    [Fact]
    public void Should_fail_a_connect_to_an_unreachable_server_with_a_connection_error()
    {
        var closedPort = FreeTcpPort();
        var account = Account();

        account.Tell(new Connect("a1", Parameters() with { SipServerUrl = $"tcp://127.0.0.1:{closedPort}" }), TestActor);

        var events = ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectFailed);
        var failed = Assert.IsType<ConnectFailed>(events[3]);
        Assert.Equal("Connection Error", failed.Cause);
        Assert.Contains(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), failed.Error, StringComparison.Ordinal);
        var reply = ExpectMsg<CommandResult>(Wait);
        Assert.Equal(CommandStatus.Failed, reply.Status);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Should_publish_disconnecting_then_disconnected_when_disconnecting_without_registration()
    {
        var account = Account();
        account.Tell(new Connect("a1", Parameters(register: false)), TestActor);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.ConnectSucceeded);
        ExpectMsg<CommandResult>(Wait);

        account.Tell(new Disconnect("a1"), TestActor);

        var disconnected = Assert.IsType<SipActors.Events.Disconnected>(ExpectTopics(ConnectionTopics.Disconnecting, ConnectionTopics.Disconnected)[1]);
        Assert.False(disconnected.Error);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Should_not_be_disturbed_by_a_subscriber_that_throws()
    {
        var thrower = Sys.ActorOf(Props.Create(() => new ThrowingSubscriber()), "thrower");
        ConnectionTopics.Subscribe(Sys.EventStream, thrower, ConnectionTopics.All);
        var account = Account();

        account.Tell(new Connect("a1", Parameters()), TestActor);

        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded);
        Assert.Equal(CommandStatus.Ok, ExpectMsg<CommandResult>(Wait).Status);
        Assert.Single(_registrar.GetBindings("alice"));
    }

    [Fact]
    public async Task Should_leave_no_binding_when_disconnected_while_its_register_is_in_flight()
    {
        // A slow server saves the binding at once and answers 2 s later: the Disconnect lands in between
        // (with 300 ms, a loaded CI machine sometimes woke the test only after the 200).
        await using var slow = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { RegisterResponseDelay = TimeSpan.FromSeconds(2) });
        var account = Account();

        account.Tell(new Connect("a1", Parameters() with { SipServerIp = slow.Domain, SipServerUrl = $"udp://127.0.0.1:{slow.UdpEndPoint.Port}" }), TestActor);
        ExpectTopics(ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected);
        while (slow.GetBindings("alice").Count == 0)
        {
            await Task.Delay(5);
        }
        account.Tell(new Disconnect("a1"), TestActor);

        var topics = new List<string>();
        while (topics.LastOrDefault() != ConnectionTopics.Disconnected)
        {
            if (ExpectMsg<object>(Wait) is ConnectionEvent e)
            {
                topics.Add(e.Topic);
            }
        }
        Assert.Equal([ConnectionTopics.Disconnecting, ConnectionTopics.Disconnected], topics); // the Disconnect came before the 200
        Assert.Empty(slow.GetBindings("alice"));
    }

    [Fact]
    public async Task Should_send_a_message_to_another_account_and_publish_it_on_both_sides()
    {
        var alice = Account("alice");
        var bob = Account("bob");
        Assert.Equal(CommandStatus.Ok, (await AskAsync(alice, new Connect("alice", Parameters("alice")))).Status);
        Assert.Equal(CommandStatus.Ok, (await AskAsync(bob, new Connect("bob", Parameters("bob")))).Status);
        ReceiveN(14, Wait);

        var sent = await AskAsync(alice, new SendMessage("alice", $"sip:bob@{_registrar.Domain}", "hello bob", "text/plain;charset=utf-8"));

        Assert.Equal((CommandStatus.Ok, 200), (sent.Status, sent.StatusCode));
        var local = ExpectMsg<NewMessage>(Wait);
        var remote = ExpectMsg<NewMessage>(Wait);
        Assert.Equal(("alice", "local", $"sip:alice@{_registrar.Domain}", $"sip:bob@{_registrar.Domain}", "hello bob"),
            (local.Account.Value, local.Originator, local.From, local.To, local.Body));
        Assert.Equal(("bob", "remote", "text/plain;charset=utf-8", "hello bob"), (remote.Account.Value, remote.Originator, remote.ContentType, remote.Body));
        Assert.Equal($"sip:alice@{_registrar.Domain}", remote.From);
    }

    [Fact]
    public async Task Should_answer_a_proxy_challenge_to_a_message_with_the_account_credentials()
    {
        await using var proxy = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { AuthenticateRelayedRequests = true });
        var alice = Account("alice");
        var bob = Account("bob");
        ConnectionParameters At(string user) => Parameters(user) with { SipServerIp = proxy.Domain, SipServerUrl = $"udp://127.0.0.1:{proxy.UdpEndPoint.Port}" };
        Assert.Equal(CommandStatus.Ok, (await AskAsync(alice, new Connect("alice", At("alice")))).Status);
        Assert.Equal(CommandStatus.Ok, (await AskAsync(bob, new Connect("bob", At("bob")))).Status);
        ReceiveN(14, Wait);
        var challengesBefore = proxy.Challenges;

        var sent = await AskAsync(alice, new SendMessage("alice", $"sip:bob@{proxy.Domain}", "after a 407"));

        Assert.Equal((CommandStatus.Ok, 200), (sent.Status, sent.StatusCode));
        Assert.Equal(challengesBefore + 1, proxy.Challenges);
        Assert.Equal("local", ExpectMsg<NewMessage>(Wait).Originator);
        Assert.Equal(("bob", "after a 407"), ExpectMsg<NewMessage>(Wait) is var m ? (m.Account.Value, m.Body) : default);
    }

    [Fact]
    public async Task Should_answer_message_and_options_commands_with_their_outcome()
    {
        var alice = Account("alice");
        var whileIdle = await AskAsync(alice, new SendMessage("alice", "sip:bob@example.test", "x"));
        Assert.Equal(CommandStatus.Ok, (await AskAsync(alice, new Connect("alice", Parameters("alice")))).Status);
        ReceiveN(7, Wait);

        var toNobody = await AskAsync(alice, new SendMessage("alice", $"sip:nobody@{_registrar.Domain}", "lost"));
        var badTarget = await AskAsync(alice, new SendOptions("alice", "not a uri"));
        var ping = await AskAsync(alice, new Ping("alice"));
        var options = await AskAsync(alice, new SendOptions("alice", $"sip:{_registrar.Domain}:{_registrar.UdpEndPoint.Port}"));

        Assert.Equal(CommandStatus.Failed, whileIdle.Status);
        Assert.Contains("not connected", whileIdle.Error, StringComparison.Ordinal);
        Assert.Equal((CommandStatus.Failed, 404), (toNobody.Status, toNobody.StatusCode));
        Assert.Equal(CommandStatus.Failed, badTarget.Status);
        Assert.Contains("'not a uri' is not a sip: or sips: URI", badTarget.Error, StringComparison.Ordinal);
        Assert.Equal((CommandStatus.Ok, 200), (ping.Status, ping.StatusCode)); // relayed back to alice, who answers her own OPTIONS
        Assert.Equal((CommandStatus.Ok, 200), (options.Status, options.StatusCode));
    }

    [Fact]
    public async Task Should_fail_a_ping_within_the_options_timeout_when_nobody_answers()
    {
        var gone = EmbeddedRegistrar.Start();
        var alice = Account("alice", new ConnectionActorSettings { OptionsTimeout = TimeSpan.FromMilliseconds(700) });
        var parameters = Parameters("alice") with { SipServerIp = gone.Domain, SipServerUrl = $"udp://127.0.0.1:{gone.UdpEndPoint.Port}" };
        Assert.Equal(CommandStatus.Ok, (await AskAsync(alice, new Connect("alice", parameters))).Status);
        ReceiveN(7, Wait);
        await gone.DisposeAsync(); // requests go through the account's server, which is now silent

        var result = await AskAsync(alice, new Ping("alice"));

        Assert.Equal(CommandStatus.Failed, result.Status);
        Assert.Null(result.StatusCode);
        Assert.Contains("no answer", result.Error, StringComparison.Ordinal);
    }

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ThrowingSubscriber : ReceiveActor
    {
        public ThrowingSubscriber() => Receive<ConnectionEvent>(e => throw new InvalidOperationException($"subscriber fails on {e.Topic}"));
    }
}
