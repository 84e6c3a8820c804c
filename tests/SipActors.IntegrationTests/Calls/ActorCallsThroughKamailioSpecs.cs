using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Events;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Calls;

/// <summary>
/// Calls at the actor level through a real Kamailio: SIPp calls a registered account (answered,
/// rejected, cancelled), and two accounts on different transports (UDP and WebSocket) call each
/// other. The callee's events are asserted in order, payloads included.
/// </summary>
public sealed class ActorCallsThroughKamailioSpecs : TestKit, IClassFixture<KamailioFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly KamailioFixture _kamailio;
    private readonly SipStack _stack = new();

    public ActorCallsThroughKamailioSpecs(KamailioFixture kamailio, ITestOutputHelper output) : base(output: output)
    {
        _kamailio = kamailio;
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, ConnectionTopics.NewRtcSession);
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, SessionTopics.All);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private Task<IActorRef> RegisteredAsync(string user, string url, IncomingCallPolicy policy = IncomingCallPolicy.Ring)
        => KamailioAccounts.RegisterAsync(Sys, _stack, _kamailio, user, url, policy);

    private string Udp => $"udp://127.0.0.1:{_kamailio.UdpPort}";

    private string SippTarget => $"127.0.0.1:{_kamailio.UdpPort}";

    private readonly Dictionary<string, Queue<AccountEvent>> _pending = [];

    /// <summary>The next event of <paramref name="account"/>, which must be of <paramref name="topic"/>; other accounts' events wait for their turn.</summary>
    private T Next<T>(string account, string topic) where T : AccountEvent
    {
        if (!_pending.TryGetValue(account, out var queue))
        {
            _pending[account] = queue = new Queue<AccountEvent>();
        }
        while (queue.Count == 0)
        {
            var received = ExpectMsg<AccountEvent>(Wait);
            if (!_pending.TryGetValue(received.Account.Value, out var other))
            {
                _pending[received.Account.Value] = other = new Queue<AccountEvent>();
            }
            other.Enqueue(received);
        }
        var e = queue.Dequeue();
        Assert.True(e.Topic == topic, $"{account}: expected {topic}, got {e}\n{_kamailio.LogTail()}");
        return (T)e;
    }

    [Fact]
    public async Task Should_ring_then_answer_an_invite_from_sipp_and_end_on_its_bye()
    {
        await RegisteredAsync("actor-answer", Udp);

        var sipp = SippRunner.RunAsync("invite_answered_uac.xml", SippTarget, "actor-answer");
        var incoming = Next<NewRtcSession>("actor-answer", ConnectionTopics.NewRtcSession);
        Assert.Equal("remote", incoming.Originator);
        Assert.Contains("sipp@", incoming.From, StringComparison.Ordinal);
        Assert.Equal("application/sdp", incoming.Request.ContentType);
        Next<SessionRinging>("actor-answer", SessionTopics.Ringing);
        Assert.Equal(CommandStatus.Ok, (await incoming.Session.AnswerAsync()).Status);
        Assert.Equal("local", Next<SessionAnswered>("actor-answer", SessionTopics.Answered).Originator);
        Next<SessionConfirmed>("actor-answer", SessionTopics.Confirmed);
        var ended = Next<SessionEnded>("actor-answer", SessionTopics.Ended);

        var (code, output) = await sipp;
        Assert.True(code == 0, $"sipp exited {code}\n{output}\n{_kamailio.LogTail()}");
        Assert.Equal(("remote", SessionEndCauses.Terminated, incoming.CallId), (ended.Originator, ended.Cause, ended.CallId));
    }

    [Fact]
    public async Task Should_ring_then_reject_an_invite_from_sipp_with_486()
    {
        await RegisteredAsync("actor-reject", Udp);

        var sipp = SippRunner.RunAsync("invite_rejected_uac.xml", SippTarget, "actor-reject");
        var incoming = Next<NewRtcSession>("actor-reject", ConnectionTopics.NewRtcSession);
        Next<SessionRinging>("actor-reject", SessionTopics.Ringing);
        // A moment of ringing: Kamailio's two UDP workers could relay a 486 sent right behind the 180 ahead of it.
        await Task.Delay(200);
        Assert.Equal(CommandStatus.Ok, (await incoming.Session.RejectAsync(486)).Status);
        var ended = Next<SessionEnded>("actor-reject", SessionTopics.Ended);

        var (code, output) = await sipp;
        Assert.True(code == 0, $"sipp exited {code}\n{output}\n{_kamailio.LogTail()}");
        Assert.Equal(("local", SessionEndCauses.Busy, 486), (ended.Originator, ended.Cause, ended.StatusCode));
    }

    [Fact]
    public async Task Should_end_a_ringing_call_that_sipp_cancels()
    {
        var account = await RegisteredAsync("actor-cancel", Udp);

        var sipp = SippRunner.RunAsync("invite_cancelled_uac.xml", SippTarget, "actor-cancel");
        var incoming = Next<NewRtcSession>("actor-cancel", ConnectionTopics.NewRtcSession);
        Next<SessionRinging>("actor-cancel", SessionTopics.Ringing);
        var ended = Next<SessionEnded>("actor-cancel", SessionTopics.Ended);

        var (code, output) = await sipp;
        Assert.True(code == 0, $"sipp exited {code}\n{output}\n{_kamailio.LogTail()}");
        Assert.Equal(("remote", SessionEndCauses.Canceled, incoming.CallId), (ended.Originator, ended.Cause, ended.CallId));
        await AwaitAssertAsync(async () => Assert.Empty((await account.Ask<CallsResult>(new GetCalls("actor-cancel"), Wait)).Calls), Wait);
    }

    [Theory]
    [InlineData("udp", "ws")]
    [InlineData("ws", "udp")]
    public async Task Should_call_between_accounts_on_different_transports(string callerTransport, string calleeTransport)
    {
        string Url(string scheme) => scheme == "ws" ? $"ws://127.0.0.1:{_kamailio.WsPort}" : Udp;
        var caller = $"x-{callerTransport}-{calleeTransport}-a";
        var callee = $"x-{callerTransport}-{calleeTransport}-b";
        var callerAccount = await RegisteredAsync(caller, Url(callerTransport));
        await RegisteredAsync(callee, Url(calleeTransport));

        // Kamailio's own port in the Request-URI: 127.0.0.1 alone is not "myself" to it.
        var placed = await callerAccount.Ask<CommandResult>(new Call(caller, $"sip:{callee}@127.0.0.1:{_kamailio.UdpPort}", "v=0\r\ns=from-caller\r\n"), Wait);
        Assert.True(placed.Status == CommandStatus.Ok, placed.Error);
        Assert.Equal("local", Next<NewRtcSession>(caller, ConnectionTopics.NewRtcSession).Originator);
        var incoming = Next<NewRtcSession>(callee, ConnectionTopics.NewRtcSession);
        Assert.Equal(("remote", placed.Session!.CallId), (incoming.Originator, incoming.CallId));
        Assert.Equal("v=0\r\ns=from-caller\r\n", System.Text.Encoding.UTF8.GetString(incoming.Request.Body.Span));
        Next<SessionRinging>(callee, SessionTopics.Ringing);
        Assert.Equal("remote", Next<SessionRinging>(caller, SessionTopics.Ringing).Originator);

        Assert.Equal(CommandStatus.Ok, (await incoming.Session.AnswerAsync("v=0\r\ns=from-callee\r\n")).Status);
        Assert.Equal("v=0\r\ns=from-callee\r\n", Next<SessionAnswered>(caller, SessionTopics.Answered).RemoteSdp);
        Next<SessionConfirmed>(caller, SessionTopics.Confirmed);
        Next<SessionAnswered>(callee, SessionTopics.Answered);
        Next<SessionConfirmed>(callee, SessionTopics.Confirmed); // the ACK came along the record-routed path

        Assert.Equal(CommandStatus.Ok, (await incoming.Session.HangUpAsync()).Status);
        Assert.Equal(("local", SessionEndCauses.Terminated), (Next<SessionEnded>(callee, SessionTopics.Ended) is var e1 ? (e1.Originator, e1.Cause) : default));
        Assert.Equal(("remote", SessionEndCauses.Terminated), (Next<SessionEnded>(caller, SessionTopics.Ended) is var e2 ? (e2.Originator, e2.Cause) : default));
        Assert.Equal(0, _stack.Dialogs.Count);
    }
}
