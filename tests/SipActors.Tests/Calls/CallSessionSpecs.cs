using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.Registrar;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.Tests.Calls;

/// <summary>
/// Calls between two accounts of one process through the embedded registrar on loopback: the
/// session actors, the incoming-call policies, the commands and the event order on both sides.
/// </summary>
public sealed class CallSessionSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly EmbeddedRegistrar _registrar;
    // A short T1 so the transactions a call leaves in RFC 6026's Accepted state (64*T1) are gone within a test's wait.
    private readonly SipStack _stack = new(new SipActors.Sip.Transactions.SipTimerSettings
    {
        T1 = TimeSpan.FromMilliseconds(50), T2 = TimeSpan.FromMilliseconds(400), T4 = TimeSpan.FromMilliseconds(500),
    });
    private readonly TestProbe _events;

    public CallSessionSpecs(ITestOutputHelper output) : base(output: output)
    {
        _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { PasswordRule = u => "pw-" + u });
        _events = CreateTestProbe();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _registrar.DisposeAsync();
    }

    private async Task<IActorRef> ConnectedAccountAsync(string user, IncomingCallPolicy policy = IncomingCallPolicy.Ring, int noAnswerTimeout = 60, string? answerSdp = null, string? url = null, bool sessionTimers = false)
    {
        var account = Sys.ActorOf(ConnectionActor.Props(user, _stack), user);
        var result = await account.Ask<CommandResult>(new Connect(user, new ConnectionParameters
        {
            SipServerIp = _registrar.Domain,
            SipServerUrl = url ?? $"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}",
            Register = true,
            User = user,
            Password = "pw-" + user,
            IncomingCalls = policy,
            NoAnswerTimeout = noAnswerTimeout,
            AnswerSdp = answerSdp,
            SessionTimers = sessionTimers,
        }), Wait);
        Assert.True(result.IsSuccess, result.Error);
        return account;
    }

    private async Task<(IActorRef Alice, IActorRef Bob)> TwoAccountsAsync(IncomingCallPolicy bobPolicy = IncomingCallPolicy.Ring, int bobNoAnswer = 60, string? bobAnswerSdp = null)
    {
        var alice = await ConnectedAccountAsync("alice");
        var bob = await ConnectedAccountAsync("bob", bobPolicy, bobNoAnswer, bobAnswerSdp);
        ConnectionTopics.Subscribe(Sys.EventStream, _events, ConnectionTopics.NewRtcSession);
        ConnectionTopics.Subscribe(Sys.EventStream, _events, SessionTopics.All);
        return (alice, bob);
    }

    private string BobAor => $"sip:bob@{_registrar.Domain}";

    private async Task<CallSession> CallBobAsync(IActorRef alice, string? sdp = null)
    {
        var placed = await alice.Ask<CommandResult>(new Call("alice", BobAor, sdp), Wait);
        Assert.True(placed.Status == CommandStatus.Ok, placed.Error);
        Assert.NotNull(placed.Session);
        Assert.Equal(("local", BobAor), (placed.Session.Originator, placed.Session.To));
        return placed.Session;
    }

    /// <summary>Reads events until each account's list ends with the given topics in order (other accounts' events interleave freely).</summary>
    private (List<AccountEvent> Alice, List<AccountEvent> Bob) ExpectPerAccount(string[] alice, string[] bob)
    {
        var seen = (Alice: new List<AccountEvent>(), Bob: new List<AccountEvent>());
        while (seen.Alice.Count < alice.Length || seen.Bob.Count < bob.Length)
        {
            var e = _events.ExpectMsg<AccountEvent>(Wait);
            var (list, expected) = e.Account.Value == "alice" ? (seen.Alice, alice) : (seen.Bob, bob);
            list.Add(e);
            Assert.True(list.Count <= expected.Length && e.Topic == expected[list.Count - 1],
                $"{e.Account.Value}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", list.Select(x => x.Topic))}]: {e}");
        }
        return seen;
    }

    [Fact]
    public async Task Should_ring_then_answer_by_the_handle_and_hang_up_with_events_on_both_sides()
    {
        var (alice, bob) = await TwoAccountsAsync();

        var session = await CallBobAsync(alice, "v=0\r\nm=audio 4000 RTP/AVP 0\r\n");
        var ringing = ExpectPerAccount(
            [ConnectionTopics.NewRtcSession, SessionTopics.Ringing],
            [ConnectionTopics.NewRtcSession, SessionTopics.Ringing]);
        var incoming = Assert.IsType<NewRtcSession>(ringing.Bob[0]);
        Assert.Equal(("remote", session.CallId), (incoming.Originator, incoming.CallId));
        Assert.Contains("m=audio 4000", System.Text.Encoding.UTF8.GetString(incoming.Request.Body.Span), StringComparison.Ordinal);
        Assert.Equal("local", Assert.IsType<NewRtcSession>(ringing.Alice[0]).Originator);
        Assert.Equal(("remote", "local"), (((SessionRinging)ringing.Alice[1]).Originator, ((SessionRinging)ringing.Bob[1]).Originator));
        Assert.Single((await bob.Ask<CallsResult>(new GetCalls("bob"), Wait)).Calls);

        Assert.Equal(CommandStatus.Ok, (await incoming.Session.AnswerAsync("v=0\r\nm=audio 5000 RTP/AVP 0\r\n")).Status);
        var answered = ExpectPerAccount(
            [SessionTopics.Answered, SessionTopics.Confirmed],
            [SessionTopics.Answered, SessionTopics.Confirmed]);
        Assert.Contains("m=audio 5000", ((SessionAnswered)answered.Alice[0]).RemoteSdp, StringComparison.Ordinal);
        Assert.Contains("m=audio 4000", ((SessionAnswered)answered.Bob[0]).RemoteSdp, StringComparison.Ordinal);

        Assert.Equal(CommandStatus.Ok, (await alice.Ask<CommandResult>(new HangUp("alice", session.CallId), Wait)).Status);
        var ended = ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);
        Assert.Equal(("local", SessionEndCauses.Terminated), (((SessionEnded)ended.Alice[0]).Originator, ((SessionEnded)ended.Alice[0]).Cause));
        Assert.Equal(("remote", SessionEndCauses.Terminated), (((SessionEnded)ended.Bob[0]).Originator, ((SessionEnded)ended.Bob[0]).Cause));

        await AwaitAssertAsync(async () => Assert.Empty((await bob.Ask<CallsResult>(new GetCalls("bob"), Wait)).Calls), Wait);
        Assert.Empty((await alice.Ask<CallsResult>(new GetCalls("alice"), Wait)).Calls);
        var stale = await alice.Ask<CommandResult>(new HangUp("alice", session.CallId), Wait);
        Assert.Equal(CommandStatus.Failed, stale.Status);
        Assert.Contains(session.CallId, stale.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_auto_answer_with_a_minimal_inactive_answer_mirroring_the_offer()
    {
        var (alice, _) = await TwoAccountsAsync(IncomingCallPolicy.AutoAnswer);

        var session = await CallBobAsync(alice, "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 8 0\r\nm=video 0 RTP/AVP 96\r\n");

        var seen = ExpectPerAccount(
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed],
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed]);
        var answer = ((SessionAnswered)seen.Alice[1]).RemoteSdp!;
        Assert.Contains("m=audio 9 RTP/AVP 8\r\na=inactive", answer, StringComparison.Ordinal);
        Assert.Contains("m=video 0 RTP/AVP 96", answer, StringComparison.Ordinal);

        Assert.Equal(CommandStatus.Ok, (await session.HangUpAsync()).Status);
        ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);
    }

    [Fact]
    public async Task Should_auto_answer_with_the_configured_answer_sdp()
    {
        var (alice, _) = await TwoAccountsAsync(IncomingCallPolicy.AutoAnswer, bobAnswerSdp: "v=0\r\ns=configured\r\n");

        await CallBobAsync(alice);

        var seen = ExpectPerAccount(
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed],
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed]);
        Assert.Equal("v=0\r\ns=configured\r\n", ((SessionAnswered)seen.Alice[1]).RemoteSdp);
        Assert.Contains("a=inactive", ((SessionAnswered)seen.Bob[1]).RemoteSdp, StringComparison.Ordinal); // alice's default offer
    }

    [Fact]
    public async Task Should_reject_busy_under_the_reject_policy()
    {
        var (alice, _) = await TwoAccountsAsync(IncomingCallPolicy.Reject);

        await CallBobAsync(alice);

        var seen = ExpectPerAccount([ConnectionTopics.NewRtcSession, SessionTopics.Ended], [ConnectionTopics.NewRtcSession, SessionTopics.Ended]);
        var callerEnd = (SessionEnded)seen.Alice[1];
        var calleeEnd = (SessionEnded)seen.Bob[1];
        Assert.Equal((SessionEndCauses.Busy, 486, "remote"), (callerEnd.Cause, callerEnd.StatusCode, callerEnd.Originator));
        Assert.Equal((SessionEndCauses.Busy, 486, "local"), (calleeEnd.Cause, calleeEnd.StatusCode, calleeEnd.Originator));
    }

    [Fact]
    public async Task Should_answer_405_without_an_event_under_ignore_event()
    {
        var (alice, _) = await TwoAccountsAsync(IncomingCallPolicy.IgnoreEvent);

        await CallBobAsync(alice);

        var seen = ExpectPerAccount([ConnectionTopics.NewRtcSession, SessionTopics.Ended], []);
        var end = (SessionEnded)seen.Alice[1];
        Assert.Equal((SessionEndCauses.SipFailureCode, 405), (end.Cause, end.StatusCode));
        _events.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Should_reject_by_command_with_the_given_status()
    {
        var (alice, bob) = await TwoAccountsAsync();
        var session = await CallBobAsync(alice);
        ExpectPerAccount([ConnectionTopics.NewRtcSession, SessionTopics.Ringing], [ConnectionTopics.NewRtcSession, SessionTopics.Ringing]);

        var bad = await bob.Ask<CommandResult>(new Reject("bob", session.CallId, 200), Wait);
        Assert.Equal(CommandStatus.Failed, bad.Status);
        Assert.Contains("300..699", bad.Error, StringComparison.Ordinal);
        var wrongSide = await alice.Ask<CommandResult>(new Answer("alice", session.CallId), Wait);
        Assert.Equal(CommandStatus.Failed, wrongSide.Status);

        Assert.Equal(CommandStatus.Ok, (await bob.Ask<CommandResult>(new Reject("bob", session.CallId, 603), Wait)).Status);
        var seen = ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);
        Assert.Equal((SessionEndCauses.Rejected, 603), (((SessionEnded)seen.Alice[0]).Cause, ((SessionEnded)seen.Alice[0]).StatusCode));
    }

    [Fact]
    public async Task Should_cancel_an_unanswered_call_when_the_caller_hangs_up()
    {
        var (alice, _) = await TwoAccountsAsync();
        var session = await CallBobAsync(alice);
        ExpectPerAccount([ConnectionTopics.NewRtcSession, SessionTopics.Ringing], [ConnectionTopics.NewRtcSession, SessionTopics.Ringing]);

        Assert.Equal(CommandStatus.Ok, (await session.HangUpAsync()).Status);

        var seen = ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);
        Assert.Equal(("local", SessionEndCauses.Canceled), (((SessionEnded)seen.Alice[0]).Originator, ((SessionEnded)seen.Alice[0]).Cause));
        Assert.Equal(("remote", SessionEndCauses.Canceled), (((SessionEnded)seen.Bob[0]).Originator, ((SessionEnded)seen.Bob[0]).Cause));
    }

    [Fact]
    public async Task Should_end_an_unanswered_ringing_call_after_the_no_answer_timeout()
    {
        var (alice, _) = await TwoAccountsAsync(bobNoAnswer: 1);
        await CallBobAsync(alice);
        ExpectPerAccount([ConnectionTopics.NewRtcSession, SessionTopics.Ringing], [ConnectionTopics.NewRtcSession, SessionTopics.Ringing]);

        var seen = ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);

        Assert.Equal(SessionEndCauses.NoAnswer, ((SessionEnded)seen.Bob[0]).Cause);
        Assert.Equal((SessionEndCauses.Unavailable, 480), (((SessionEnded)seen.Alice[0]).Cause, ((SessionEnded)seen.Alice[0]).StatusCode));
    }

    [Fact]
    public async Task Should_hang_up_calls_with_BYE_when_the_account_disconnects()
    {
        var (alice, _) = await TwoAccountsAsync(IncomingCallPolicy.AutoAnswer);
        await CallBobAsync(alice);
        ExpectPerAccount(
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed],
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed]);

        Assert.Equal(CommandStatus.Ok, (await alice.Ask<CommandResult>(new Disconnect("alice"), Wait)).Status);

        var seen = ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);
        Assert.Equal(("local", SessionEndCauses.Terminated), (((SessionEnded)seen.Alice[0]).Originator, ((SessionEnded)seen.Alice[0]).Cause));
        Assert.Equal(("remote", SessionEndCauses.Terminated), (((SessionEnded)seen.Bob[0]).Originator, ((SessionEnded)seen.Bob[0]).Cause));
        Assert.Equal(1, _registrar.RegisteredUsers); // bob only
    }

    [Fact]
    public async Task Should_end_calls_with_connection_error_when_the_transport_is_lost_and_leave_no_dialog_or_transaction()
    {
        var tcpRegistrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
        {
            PasswordRule = u => "pw-" + u,
            TcpEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
        });
        try
        {
            var url = $"tcp://127.0.0.1:{tcpRegistrar.TcpEndPoint!.Port}";
            var alice = await ConnectedAccountAsync("alice", url: url);
            await ConnectedAccountAsync("bob", IncomingCallPolicy.AutoAnswer, url: url);
            ConnectionTopics.Subscribe(Sys.EventStream, _events, SessionTopics.All);
            Assert.True((await alice.Ask<CommandResult>(new Call("alice", "sip:bob@" + tcpRegistrar.Domain), Wait)).IsSuccess);
            ExpectPerAccount([SessionTopics.Answered, SessionTopics.Confirmed], [SessionTopics.Answered, SessionTopics.Confirmed]);
            Assert.Equal(2, _stack.Dialogs.Count);

            await tcpRegistrar.DisposeAsync();

            var seen = ExpectPerAccount([SessionTopics.Ended], [SessionTopics.Ended]);
            Assert.All(seen.Alice.Concat(seen.Bob), e => Assert.Equal(SessionEndCauses.ConnectionError, ((SessionEnded)e).Cause));
            Assert.Equal(0, _stack.Dialogs.Count);
            await AwaitAssertAsync(() => Assert.Equal(0, _stack.Transactions.Count), Wait);
        }
        finally
        {
            await tcpRegistrar.DisposeAsync();
        }
    }

    [Fact]
    public async Task Should_answer_the_peers_re_invite_and_publish_session_updated()
    {
        await ConnectedAccountAsync("bob", IncomingCallPolicy.AutoAnswer);
        ConnectionTopics.Subscribe(Sys.EventStream, _events, SessionTopics.All);
        SipActors.Sip.Transports.SipServerTarget.TryParse($"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}", out var target, out _);
        await using var caller = new SipUserAgent(_stack, new SipUserAgentOptions { User = "dave", Domain = _registrar.Domain, Target = target!, Password = "pw-dave" });
        await caller.ConnectAsync();
        Assert.True((await caller.RegisterAsync()).Success);
        var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var updated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = caller.PlaceCall(BobAor, "v=0\r\ns=first\r\n"u8.ToArray(), e =>
        {
            if (e.Kind == SipActors.Sip.Calls.SipCallEventKind.Confirmed)
            {
                confirmed.TrySetResult();
            }
            else if (e.Kind == SipActors.Sip.Calls.SipCallEventKind.Updated)
            {
                updated.TrySetResult();
            }
        });
        await confirmed.Task.WaitAsync(Wait);
        ExpectPerAccount([], [SessionTopics.Answered, SessionTopics.Confirmed]);

        Assert.True(call.Reinvite("v=0\r\ns=second\r\n"u8.ToArray()));

        var seen = ExpectPerAccount([], [SessionTopics.Updated]);
        var update = (SessionUpdated)seen.Bob[0];
        Assert.Equal(("remote", "v=0\r\ns=second\r\n", call.CallId), (update.Originator, update.RemoteSdp, update.CallId));
        await updated.Task.WaitAsync(Wait); // bob's 2xx to the re-INVITE reached the caller
        Assert.True(call.HangUp());
        var ended = (SessionEnded)ExpectPerAccount([], [SessionTopics.Ended]).Bob[0];
        Assert.Equal(("remote", SessionEndCauses.Terminated), (ended.Originator, ended.Cause));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Should_negotiate_session_timers_only_when_the_account_asks_for_them(bool sessionTimers)
    {
        var alice = await ConnectedAccountAsync("alice", sessionTimers: sessionTimers);
        await ConnectedAccountAsync("bob", IncomingCallPolicy.AutoAnswer, sessionTimers: sessionTimers);
        ConnectionTopics.Subscribe(Sys.EventStream, _events, ConnectionTopics.NewRtcSession);
        ConnectionTopics.Subscribe(Sys.EventStream, _events, SessionTopics.All);

        await CallBobAsync(alice);

        var seen = ExpectPerAccount(
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed],
            [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed]);
        var invite = ((NewRtcSession)seen.Bob[0]).Request;
        var sessionExpires = invite.Headers.GetFirst(SipActors.Sip.Headers.SipHeaderId.SessionExpires);
        if (sessionTimers)
        {
            Assert.Equal("1800", sessionExpires);
            Assert.Contains("timer", invite.Supported);
        }
        else
        {
            Assert.Null(sessionExpires);
        }
    }

    [Fact]
    public async Task Should_refuse_a_call_when_not_connected_or_to_a_bad_target()
    {
        var idle = Sys.ActorOf(ConnectionActor.Props("carol", _stack), "carol");
        var notConnected = await idle.Ask<CommandResult>(new Call("carol", "sip:bob@example.test"), Wait);
        Assert.Equal(CommandStatus.Failed, notConnected.Status);
        Assert.Contains("not connected", notConnected.Error, StringComparison.Ordinal);

        var alice = await ConnectedAccountAsync("alice");
        var bad = await alice.Ask<CommandResult>(new Call("alice", "mailto:bob@example.test"), Wait);
        Assert.Equal(CommandStatus.Failed, bad.Status);
        Assert.Contains("mailto:bob@example.test", bad.Error, StringComparison.Ordinal);
        Assert.Empty((await alice.Ask<CallsResult>(new GetCalls("alice"), Wait)).Calls);
    }
}
