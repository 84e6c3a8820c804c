using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Sip.Registrar;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.Tests.Connections;

public sealed class ConnectionSupervisorSpecs : TestKit, IAsyncLifetime
{
    private readonly EmbeddedRegistrar _registrar = EmbeddedRegistrar.Start();
    private readonly SipStack _stack = new();

    public ConnectionSupervisorSpecs(ITestOutputHelper output) : base("akka.loglevel = WARNING", output: output)
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _registrar.DisposeAsync();
    }

    private Connect ConnectFor(string user) => new(user, new ConnectionParameters
    {
        SipServerIp = _registrar.Domain,
        SipServerUrl = $"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}",
        Register = true,
        User = user,
        Password = "pw-" + user,
    });

    private async Task<SupervisorStatus> StatusAsync(IActorRef supervisor)
        => await supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Should_keep_an_account_id_that_is_not_a_valid_actor_name_as_given()
    {
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack), "odd-ids");
        var events = CreateTestProbe();
        SipActors.Events.ConnectionTopics.Subscribe(Sys.EventStream, events, SipActors.Events.ConnectionTopics.Registered);
        const string id = "team a/alice@example.test #1";

        var connected = await supervisor.Ask<CommandResult>(ConnectFor("alice") with { Account = id }, TimeSpan.FromSeconds(10));
        var state = await supervisor.Ask<ConnectionStateResult>(new GetState(id), TimeSpan.FromSeconds(10));

        Assert.True(connected.IsSuccess, connected.Error);
        Assert.Equal((id, id), (connected.Account.Value, state.Account.Value));
        Assert.Equal(id, events.ExpectMsg<SipActors.Events.Registered>(TimeSpan.FromSeconds(10)).Account.Value);
    }

    [Fact]
    public async Task Should_route_commands_to_one_child_per_account_and_count_states()
    {
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack), "accounts");

        var alice = await supervisor.Ask<CommandResult>(ConnectFor("alice"), TimeSpan.FromSeconds(10));
        var bob = await supervisor.Ask<CommandResult>(ConnectFor("bob"), TimeSpan.FromSeconds(10));
        var state = await supervisor.Ask<ConnectionStateResult>(new GetState("bob"), TimeSpan.FromSeconds(10));

        Assert.True(alice.IsSuccess && bob.IsSuccess);
        Assert.Equal(("bob", ConnectionStatus.Registered), (state.Account.Value, state.Status));
        await AwaitConditionAsync(async () => (await StatusAsync(supervisor)).Count(ConnectionStatus.Registered) == 2, TimeSpan.FromSeconds(5));
        Assert.Equal(CommandStatus.Ok, (await supervisor.Ask<CommandResult>(new RemoveAccount("alice"), TimeSpan.FromSeconds(10))).Status);
        await AwaitConditionAsync(async () => (await StatusAsync(supervisor)).Accounts == 1, TimeSpan.FromSeconds(5));
        await AwaitConditionAsync(() => Task.FromResult(_registrar.GetBindings("alice").Count == 0), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Should_answer_commands_for_unknown_accounts_without_creating_them()
    {
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack), "unknown");

        var state = await supervisor.Ask<ConnectionStateResult>(new GetState("ghost"), TimeSpan.FromSeconds(5));
        var disconnect = await supervisor.Ask<CommandResult>(new Disconnect("ghost"), TimeSpan.FromSeconds(5));
        var message = await supervisor.Ask<CommandResult>(new SendMessage("ghost", "sip:bob@example.test", "boo"), TimeSpan.FromSeconds(5));
        var calls = await supervisor.Ask<SipActors.Calls.CallsResult>(new SipActors.Calls.GetCalls("ghost"), TimeSpan.FromSeconds(5));
        var call = await supervisor.Ask<CommandResult>(new SipActors.Calls.Call("ghost", "sip:bob@example.test"), TimeSpan.FromSeconds(5));

        Assert.Equal(ConnectionStatus.Disconnected, state.Status);
        Assert.Equal(CommandStatus.NoOp, disconnect.Status);
        Assert.Equal(CommandStatus.Failed, message.Status);
        Assert.Contains("'ghost' is not known", message.Error, StringComparison.Ordinal);
        Assert.Empty(calls.Calls);
        Assert.Equal(CommandStatus.Failed, call.Status);
        Assert.Equal(0, (await StatusAsync(supervisor)).Accounts);
    }

    [Fact]
    public async Task Should_register_ten_thousand_accounts_and_unregister_them_all()
    {
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack, new ConnectionSupervisorSettings { ConnectRateLimit = 5000 }), "load");
        var connects = Enumerable.Range(0, 10_000).Select(i => ConnectFor($"user{i:D5}")).ToList();
        var failures = CreateTestProbe();
        SipActors.Events.ConnectionTopics.Subscribe(Sys.EventStream, failures, SipActors.Events.ConnectionTopics.ConnectFailed);

        await supervisor.Ask<CommandResult>(new ConnectAll(connects), TimeSpan.FromSeconds(60));
        var deadline = DateTime.UtcNow.AddSeconds(120);
        SupervisorStatus progress;
        while ((progress = await StatusAsync(supervisor)).Count(ConnectionStatus.Registered) < 10_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.True(progress.Count(ConnectionStatus.Registered) == 10_000,
            $"states: {string.Join(", ", progress.ByStatus.Select(p => $"{p.Key}={p.Value}"))}; registrar: {_registrar.RegisteredUsers} users, "
            + $"{_registrar.SuccessfulRegistrations} OK, {_registrar.Challenges} challenges, {_registrar.AuthenticationFailures} auth failures; "
            + $"client retransmissions {_stack.Transactions.Retransmissions}, transactions {_stack.Transactions.Count}; failures: "
            + string.Join(" | ", failures.ReceiveWhile(TimeSpan.FromMilliseconds(100), o => o.ToString()).Take(5)));

        var status = await StatusAsync(supervisor);
        Assert.Equal(10_000, status.Accounts);
        // The supervisor gives its accounts the compact mailbox, even in a system whose config lacks it.
        var child = (LocalActorRef)await Sys.ActorSelection(ConnectionSupervisor.AccountPath(supervisor.Path, new AccountId("user00042"))).ResolveOne(TimeSpan.FromSeconds(5));
        Assert.IsType<SipActors.Dispatch.CompactDequeMessageQueue>(child.Cell.Mailbox!.MessageQueue);
        Assert.Equal(10_000, _registrar.RegisteredUsers);
        Assert.Equal(0, _registrar.AuthenticationFailures);

        var disconnected = await supervisor.Ask<CommandResult>(DisconnectAll.Instance, TimeSpan.FromSeconds(120));
        Assert.Equal(CommandStatus.Ok, disconnected.Status);
        Assert.Equal(0, _registrar.RegisteredUsers);
        Assert.Equal(10_000, (await StatusAsync(supervisor)).Count(ConnectionStatus.Disconnected));
    }

    [Fact]
    public async Task Should_hold_transport_attempts_to_the_connect_rate_limit()
    {
        // 20 attempts per second with a burst of one: after half a second at most ~11 accounts can have started.
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack, new ConnectionSupervisorSettings { ConnectRateLimit = 20 }), "slow");
        await supervisor.Ask<CommandResult>(new ConnectAll(Enumerable.Range(0, 100).Select(i => ConnectFor($"slow{i}")).ToList()), TimeSpan.FromSeconds(10));

        await Task.Delay(500);
        var status = await StatusAsync(supervisor);

        Assert.True(status.Count(ConnectionStatus.Registered) + status.Count(ConnectionStatus.Connected) <= 20,
            $"{status.Count(ConnectionStatus.Registered)} registered after 0.5 s at 20/s");
        Assert.True(status.Count(ConnectionStatus.Connecting) >= 70);
    }

    [Fact]
    public async Task Should_keep_no_more_attempts_in_flight_than_the_bound()
    {
        // A server that never answers: every attempt stays in flight until its connect timeout.
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)silent.LocalEndPoint!).Port;
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack, new ConnectionSupervisorSettings
        {
            ConnectRateLimit = 1000,
            MaxConcurrentConnects = 5,
            Account = new ConnectionActorSettings { ConnectTimeout = TimeSpan.FromSeconds(3) },
        }), "bounded");
        var connects = Enumerable.Range(0, 50).Select(i => ConnectFor($"bound{i}") with
        {
            Parameters = ConnectFor($"bound{i}").Parameters! with { SipServerUrl = $"udp://127.0.0.1:{port}" },
        }).ToList();

        await supervisor.Ask<CommandResult>(new ConnectAll(connects), TimeSpan.FromSeconds(10));
        await Task.Delay(1000);

        var callIds = new HashSet<string>();
        var buffer = new byte[65536];
        while (silent.Available > 0)
        {
            var n = silent.Receive(buffer);
            callIds.Add(Sip.SipMessage.Parse(buffer.AsSpan(0, n)).CallId!);
        }
        Assert.InRange(callIds.Count, 1, 5);
    }

    [Fact]
    public async Task Should_unregister_everyone_on_disconnect_all_with_no_more_in_flight_than_the_bound()
    {
        // A slow server holds each 200 for 200 ms: the registrar sees how many REGISTERs were unanswered at once.
        await using var slow = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { RegisterResponseDelay = TimeSpan.FromMilliseconds(200) });
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack, new ConnectionSupervisorSettings { MaxConcurrentConnects = 4 }), "paced");
        var connects = Enumerable.Range(0, 24).Select(i => ConnectFor($"paced{i}") with
        {
            Parameters = ConnectFor($"paced{i}").Parameters! with { SipServerIp = slow.Domain, SipServerUrl = $"udp://127.0.0.1:{slow.UdpEndPoint.Port}" },
        }).ToList();
        await supervisor.Ask<CommandResult>(new ConnectAll(connects), TimeSpan.FromSeconds(10));
        await AwaitConditionAsync(async () => (await StatusAsync(supervisor)).Count(ConnectionStatus.Registered) == 24, TimeSpan.FromSeconds(20));
        var peakWhileConnecting = slow.PeakHeldResponses;

        var result = await supervisor.Ask<CommandResult>(DisconnectAll.Instance, TimeSpan.FromSeconds(30));

        Assert.Equal(CommandStatus.Ok, result.Status);
        Assert.Equal(0, slow.RegisteredUsers);
        Assert.InRange(peakWhileConnecting, 1, 4);
        Assert.InRange(slow.PeakHeldResponses, 1, 4);
        Assert.Equal(0, (await StatusAsync(supervisor)).Count(ConnectionStatus.Registered));
    }

    [Fact]
    public async Task Should_restart_a_crashed_account_and_register_it_again_with_its_last_connect()
    {
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack), "crash");
        Assert.True((await supervisor.Ask<CommandResult>(ConnectFor("alice"), TimeSpan.FromSeconds(10))).IsSuccess);
        var events = CreateTestProbe();
        SipActors.Events.ConnectionTopics.Subscribe(Sys.EventStream, events, SipActors.Events.ConnectionTopics.All);
        var child = await Sys.ActorSelection(ConnectionSupervisor.AccountPath(supervisor.Path, new AccountId("alice"))).ResolveOne(TimeSpan.FromSeconds(5));

        child.Tell(Kill.Instance); // an exception in the account: OneForOne restarts it

        var topics = new List<string>();
        var seen = events.ReceiveWhile(TimeSpan.FromSeconds(10), o => (SipActors.Events.ConnectionEvent)o, msgs: 9);
        topics.AddRange(seen.Select(e => e.Topic));
        Assert.Equal(
        [
            SipActors.Events.ConnectionTopics.Disconnected, SipActors.Events.ConnectionTopics.Unregistered,
            SipActors.Events.ConnectionTopics.ConnectStarted, SipActors.Events.ConnectionTopics.ConnectParametersResolveSuccess,
            SipActors.Events.ConnectionTopics.Connecting, SipActors.Events.ConnectionTopics.ConnectedWithConfiguration,
            SipActors.Events.ConnectionTopics.Connected, SipActors.Events.ConnectionTopics.Registered, SipActors.Events.ConnectionTopics.ConnectSucceeded,
        ], topics);
        Assert.Contains("ActorKilledException", ((SipActors.Events.Disconnected)seen[0]).Reason, StringComparison.Ordinal);
        var state = await supervisor.Ask<ConnectionStateResult>(new GetState("alice"), TimeSpan.FromSeconds(10));
        Assert.Equal(ConnectionStatus.Registered, state.Status);
        await Task.Delay(300); // nothing of the crashed instance may remove the new binding afterwards
        Assert.Single(_registrar.GetBindings("alice"));
        Assert.Equal(1, (await StatusAsync(supervisor)).Count(ConnectionStatus.Registered));
    }
}
