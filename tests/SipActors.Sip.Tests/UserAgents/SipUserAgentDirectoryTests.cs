using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.UserAgents;

public sealed class SipUserAgentDirectoryTests : IDisposable
{
    private readonly SipTimerWheel _wheel = new(TimeSpan.FromMilliseconds(10), 64, new FakeTimeProvider());
    private readonly SipTransactionLayer _layer;
    private readonly SipUserAgentDirectory _directory;
    private readonly RecordingChannel _channel = new();
    private readonly Handler _alice = new();

    public SipUserAgentDirectoryTests()
    {
        _layer = new SipTransactionLayer(_wheel);
        _directory = new SipUserAgentDirectory(_layer);
        Assert.True(_directory.TryAdd("alice", _alice));
    }

    public void Dispose() => _wheel.Dispose();

    private sealed class Handler : ISipRequestHandler
    {
        public List<SipRequest> Requests { get; } = [];

        public void OnMessage(SipRequest request) => Requests.Add(request);

        public void OnInvite(SipServerTransaction invite) => Requests.Add(invite.Request);

        public bool OnInDialogRequest(SipServerTransaction transaction) => false;
    }

    private void Send(string method, string user, string? toTag = null, string branch = "z9hG4bK.d1")
    {
        var request = new SipRequest(method, $"sip:{user}@127.0.0.1:40000;transport=udp");
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:5060;branch={branch}");
        request.Headers.Add(SipHeaderId.From, "<sip:sipp@127.0.0.1>;tag=s1");
        request.Headers.Add(SipHeaderId.To, $"<sip:{user}@127.0.0.1>" + (toTag is null ? "" : ";tag=" + toTag));
        request.Headers.Add(SipHeaderId.CallId, "dir-" + branch);
        request.Headers.Add(SipHeaderId.CSeq, $"1 {method}");
        _layer.OnMessage(SipMessage.Parse(request.ToArray()), _channel);
    }

    private SipResponse LastResponse() => Assert.IsType<SipResponse>(_channel.Sent[^1]);

    [Fact]
    public void Should_answer_options_with_our_capabilities()
    {
        Send("OPTIONS", "alice");

        var ok = LastResponse();
        Assert.Equal(200, ok.StatusCode);
        Assert.Contains("MESSAGE", ok.Allow);
        Assert.NotNull(ok.To!.Tag);
        Assert.Empty(_alice.Requests);
    }

    [Fact]
    public void Should_hand_messages_notifies_and_invites_to_the_account()
    {
        Send("MESSAGE", "alice", branch: "z9hG4bK.m");
        Send("NOTIFY", "alice", branch: "z9hG4bK.n");
        Send("INVITE", "alice", branch: "z9hG4bK.i");

        Assert.Equal(["MESSAGE", "NOTIFY", "INVITE"], _alice.Requests.Select(r => r.MethodName));
    }

    [Fact]
    public void Should_answer_messages_and_notifies_200_itself_and_leave_invites_to_the_account()
    {
        Send("MESSAGE", "alice", branch: "z9hG4bK.m2");
        var ok = LastResponse();
        Assert.Equal((200, "MESSAGE"), (ok.StatusCode, ok.CSeq!.Value.MethodName));
        Assert.NotNull(ok.To!.Tag);
        Send("NOTIFY", "alice", branch: "z9hG4bK.n2");
        Assert.Equal((200, "NOTIFY"), (LastResponse().StatusCode, LastResponse().CSeq!.Value.MethodName));

        var sent = _channel.Sent.Count;
        Send("INVITE", "alice", branch: "z9hG4bK.i2");
        // Only the INVITE transaction's own 100 Trying: the final answer is the account's.
        Assert.All(_channel.Sent.Skip(sent), m => Assert.Equal(100, Assert.IsType<SipResponse>(m).StatusCode));
    }

    [Fact]
    public void Should_answer_405_with_allow_to_a_method_accounts_do_not_take()
    {
        Send("SUBSCRIBE", "alice", branch: "z9hG4bK.s");

        var refused = LastResponse();
        Assert.Equal(405, refused.StatusCode);
        Assert.Contains("MESSAGE", refused.Allow);
        Assert.Empty(_alice.Requests);
    }

    [Fact]
    public void Should_answer_404_for_an_unknown_user_and_481_for_an_unknown_dialog()
    {
        Send("MESSAGE", "nobody", branch: "z9hG4bK.x");
        Assert.Equal(404, LastResponse().StatusCode);

        Send("BYE", "alice", toTag: "unknown", branch: "z9hG4bK.y");
        Assert.Equal(481, LastResponse().StatusCode);
        Assert.Equal(1, _directory.RequestsForUnknownUsers);
    }

    [Fact]
    public void Should_answer_400_to_a_request_missing_mandatory_headers()
    {
        var request = new SipRequest("MESSAGE", "sip:alice@127.0.0.1");
        request.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.bad");
        request.Headers.Add(SipHeaderId.CSeq, "1 MESSAGE");
        _layer.OnMessage(SipMessage.Parse(request.ToArray()), _channel);

        var response = LastResponse();
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("missing", response.ReasonPhrase, StringComparison.Ordinal);
    }
}
