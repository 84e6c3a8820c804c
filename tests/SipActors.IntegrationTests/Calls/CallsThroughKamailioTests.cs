using System.Text;
using System.Threading.Channels;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip;
using SipActors.Sip.Calls;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.IntegrationTests.Calls;

/// <summary>
/// Two accounts of one stack call each other through Kamailio, which record-routes the INVITE: the
/// ACK and the BYE only get through when they carry the route set (Kamailio answers 404 to an
/// in-dialog request without Route).
/// </summary>
public sealed class CallsThroughKamailioTests : IClassFixture<KamailioFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly KamailioFixture _kamailio;
    private SipStack _stack = null!;
    private SipUserAgent _alice = null!;
    private SipUserAgent _bob = null!;
    private readonly Callee _bobPhone = new();

    public CallsThroughKamailioTests(KamailioFixture kamailio) => _kamailio = kamailio;

    private sealed class Callee : ISipRequestHandler
    {
        public SipUserAgent Agent { get; set; } = null!;
        public Channel<(SipCall Call, Channel<SipCallEvent> Events)> Calls { get; } = Channel.CreateUnbounded<(SipCall, Channel<SipCallEvent>)>();

        public void OnMessage(SipRequest request)
        {
        }

        public void OnInvite(SipServerTransaction transaction)
        {
            var events = Channel.CreateUnbounded<SipCallEvent>();
            Calls.Writer.TryWrite((Agent.AcceptCall(transaction, e => events.Writer.TryWrite(e)), events));
        }

        public bool OnInDialogRequest(SipServerTransaction transaction) => false;
    }

    public async Task InitializeAsync()
    {
        _stack = new SipStack();
        _alice = await RegisterAsync("alice-call");
        _bob = await RegisterAsync("bob-call");
        _bobPhone.Agent = _bob;
        Assert.True(_bob.AttachRequestHandler(_bobPhone));
    }

    private async Task<SipUserAgent> RegisterAsync(string user)
    {
        SipServerTarget.TryParse($"udp://127.0.0.1:{_kamailio.UdpPort}", out var target, out _);
        var agent = new SipUserAgent(_stack, new SipUserAgentOptions { User = user, Domain = _kamailio.Domain, Target = target!, Password = "pw-" + user });
        await agent.ConnectAsync();
        var result = await agent.RegisterAsync();
        Assert.True(result.Success, $"{result.Cause} {result.StatusCode}\n{_kamailio.LogTail()}");
        return agent;
    }

    public async Task DisposeAsync()
    {
        await _alice.UnregisterAsync();
        await _bob.UnregisterAsync();
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _stack.DisposeAsync();
    }

    private static async Task<SipCallEvent> NextAsync(Channel<SipCallEvent> events, SipCallEventKind kind)
    {
        while (true)
        {
            var e = await events.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            if (e.Kind == kind)
            {
                return e;
            }
            Assert.NotEqual(SipCallEventKind.Ended, e.Kind);
        }
    }

    [Fact]
    public async Task Should_ring_answer_ack_and_bye_along_the_record_routed_path()
    {
        var callerEvents = Channel.CreateUnbounded<SipCallEvent>();
        // Kamailio's own port in the Request-URI: 127.0.0.1 alone is not "myself" to it.
        var caller = _alice.PlaceCall($"sip:bob-call@127.0.0.1:{_kamailio.UdpPort}", Encoding.UTF8.GetBytes("v=0 alice"), e => callerEvents.Writer.TryWrite(e));
        var (callee, calleeEvents) = await _bobPhone.Calls.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        Assert.True(callee.Ring());
        await NextAsync(callerEvents, SipCallEventKind.Ringing);
        Assert.True(callee.Answer(Encoding.UTF8.GetBytes("v=0 bob")));
        await NextAsync(callerEvents, SipCallEventKind.Confirmed);
        await NextAsync(calleeEvents, SipCallEventKind.Confirmed); // the ACK followed the route set

        Assert.NotEmpty(caller.Dialog!.RouteSet);
        Assert.Equal(caller.Dialog.RouteSet, callee.Dialog!.RouteSet); // one proxy: the same Record-Route both ways
        Assert.Equal("v=0 bob", Encoding.UTF8.GetString(caller.RemoteSdp.Span));

        Assert.True(callee.HangUp());

        Assert.Equal(SipCallEndCause.RemoteHangUp, (await caller.Ended.WaitAsync(Patience)).Cause);
        Assert.Equal(SipCallEndCause.LocalHangUp, (await callee.Ended.WaitAsync(Patience)).Cause);
        Assert.Equal(0, _stack.Dialogs.Count);
    }
}
