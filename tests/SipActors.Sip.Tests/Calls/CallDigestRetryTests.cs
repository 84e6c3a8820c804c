using SipActors.Sip.Auth;
using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.Auth;

namespace SipActors.Sip.Tests.Calls;

/// <summary>
/// The digest retry of a call's INVITE, re-INVITE and BYE against a scripted proxy: answered once,
/// again when the proxy says the nonce was stale, never a third time for the same credentials.
/// </summary>
public sealed class CallDigestRetryTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ChallengingServer _server = new();
    private readonly CallRecorder _events = new();
    private SipCall? _call;

    public void Dispose()
    {
        _call?.HangUp();
        _server.Dispose();
    }

    private SipCall Place()
    {
        var context = new SipCallContext
        {
            Transactions = _server.Transactions,
            Dialogs = new SipDialogTable(),
            Channel = _server.Channel,
            ViaPrefix = "SIP/2.0/TCP 127.0.0.1:40000",
            Contact = "<sip:alice@127.0.0.1:40000;transport=tcp>",
            LocalIdentity = "<sip:alice@127.0.0.1>",
            Credentials = new DigestCredentials("alice", "secret"),
        };
        _call = SipCall.Place(context, "sip:bob@127.0.0.1", "v=0 alice"u8.ToArray(), null, _events.Record);
        return _call;
    }

    private async Task<SipCall> ConfirmedAsync()
    {
        _server.Answer();
        var call = Place();
        await _events.Next(SipCallEventKind.Confirmed);
        return call;
    }

    private IReadOnlyList<SipRequest> Sent(SipMethod method) => [.. _server.Requests.Where(r => r.Method == method)];

    [Fact]
    public async Task Should_answer_the_invites_challenge_again_when_the_nonce_was_stale()
    {
        _server.Challenge(407, "n1").Challenge(407, "n2", stale: true).Answer();

        var call = Place();

        await _events.Next(SipCallEventKind.Confirmed);
        var invites = Sent(SipMethod.Invite);
        Assert.Equal([1u, 2u, 3u], invites.Select(i => i.CSeq!.Value.Number));
        Assert.Equal([null, "n1", "n2"], invites.Select(ChallengingServer.AnsweredNonce));
        Assert.Equal(3u, call.Request.CSeq!.Value.Number);
    }

    [Fact]
    public async Task Should_end_the_call_authentication_failed_on_a_second_challenge_that_is_not_stale()
    {
        _server.Challenge(401, "n1").Challenge(401, "n2").Answer();

        var call = Place();

        var ended = await call.Ended.WaitAsync(Patience);
        Assert.Equal((SipCallEndCause.AuthenticationFailed, 401), (ended.Cause!.Value, ended.StatusCode!.Value));
        Assert.Equal(2, Sent(SipMethod.Invite).Count);
        Assert.True(Sent(SipMethod.Invite)[1].Headers.Contains(SipHeaderId.Authorization));
    }

    [Fact]
    public async Task Should_answer_the_re_invites_challenge_again_when_the_nonce_was_stale()
    {
        var call = await ConfirmedAsync();
        _server.Challenge(407, "n3").Challenge(407, "n4", stale: true).Answer();

        Assert.True(call.Reinvite("v=0 alice again"u8.ToArray()));

        await _events.Next(SipCallEventKind.Updated);
        var reinvites = Sent(SipMethod.Invite).Skip(1).ToList();
        Assert.Equal([null, "n3", "n4"], reinvites.Select(ChallengingServer.AnsweredNonce));
        Assert.Equal(SipCallState.Confirmed, call.State);
    }

    [Fact]
    public async Task Should_answer_the_byes_challenge_again_when_the_nonce_was_stale()
    {
        var call = await ConfirmedAsync();
        _server.Challenge(407, "n5").Challenge(407, "n6", stale: true).Answer();

        Assert.True(call.HangUp());

        await EventuallyAsync(() => Sent(SipMethod.Bye).Count == 3, "the third BYE");
        Assert.Equal([null, "n5", "n6"], Sent(SipMethod.Bye).Select(ChallengingServer.AnsweredNonce));
        Assert.Equal(3, Sent(SipMethod.Bye).Select(b => b.CSeq!.Value.Number).Distinct().Count());
    }

    [Fact]
    public async Task Should_send_a_bye_a_third_time_only_for_a_stale_nonce()
    {
        var call = await ConfirmedAsync();
        _server.Challenge(407, "n5").Challenge(407, "n6").Answer();

        Assert.True(call.HangUp());

        await EventuallyAsync(() => Sent(SipMethod.Bye).Count == 2, "the second BYE");
        await Task.Delay(200); // a third one would follow the second 407 at once
        Assert.Equal(2, Sent(SipMethod.Bye).Count);
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
