using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Registrar;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Calls;

/// <summary>RFC 4028 session timers between two SipActors calls: alice calls bob through the embedded registrar.</summary>
public sealed class SessionTimerTests : LoopbackCallTests
{
    internal static readonly SipCallOptions Timers = new() { SessionTimers = true };

    // Refresh every second; the non-refresher gives up 1.33 s after the last refresh.
    internal static readonly SipCallOptions ShortTimers = new()
    {
        SessionTimers = true, SessionExpires = TimeSpan.FromSeconds(2), MinSessionExpires = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task Should_offer_timers_in_the_invite_and_leave_the_refreshes_to_the_caller()
    {
        Alice.Options = Timers;
        Bob.Options = Timers;

        var (caller, callee) = await ConnectedCallAsync();

        var invite = caller.Call.Request;
        Assert.True(SipOptionTags.Contains(invite, SipHeaderId.Supported, SipOptionTags.Timer));
        Assert.Equal("1800", invite.Headers.GetFirst(SipHeaderId.SessionExpires));
        Assert.Equal("90", invite.Headers.GetFirst(SipHeaderId.MinSE));
        Assert.Equal("1800", callee.Call.Request.Headers.GetFirst(SipHeaderId.SessionExpires));
        var ok = (SipResponse)(await caller.Events.Next(SipCallEventKind.Answered)).Message!;
        Assert.Equal("1800;refresher=uac", ok.Headers.GetFirst(SipHeaderId.SessionExpires));
        Assert.True(SipOptionTags.Contains(ok, SipHeaderId.Require, SipOptionTags.Timer));
        Assert.Equal((TimeSpan.FromSeconds(1800), true), (caller.Call.SessionInterval, caller.Call.IsSessionRefresher));
        Assert.Equal((TimeSpan.FromSeconds(1800), false), (callee.Call.SessionInterval, callee.Call.IsSessionRefresher));

        Assert.True(caller.Call.HangUp());
        Assert.Equal(SipCallEndCause.RemoteHangUp, (await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        Assert.Null(caller.Call.SessionInterval);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_keep_the_call_up_across_intervals_while_the_refresher_refreshes()
    {
        // A 6 s interval: a refresh every 3 s, and the callee's deadline 4 s after each one. With 2 s
        // (refresh every second, 0.33 s of slack) a loaded CI machine let a deadline pass now and then.
        var timers = ShortTimers with { SessionExpires = TimeSpan.FromSeconds(6) };
        Alice.Options = timers;
        Bob.Options = timers;
        var (caller, callee) = await ConnectedCallAsync();

        // Two refreshes take 6 s: a whole interval, and the callee's deadline passed twice.
        await Eventually(() => callee.Events.All(SipCallEventKind.Updated).Count >= 2, "two session refreshes");

        Assert.Equal(SipCallState.Confirmed, caller.Call.State);
        Assert.Equal(SipCallState.Confirmed, callee.Call.State);
        Assert.DoesNotContain(SipCallEventKind.Ended, callee.Events.Kinds);
        foreach (var refresh in callee.Events.All(SipCallEventKind.Updated).Select(e => (SipRequest)e.Message!))
        {
            Assert.Equal("6;refresher=uac", refresh.Headers.GetFirst(SipHeaderId.SessionExpires));
            Assert.Equal("1", refresh.Headers.GetFirst(SipHeaderId.MinSE));
            Assert.True(SipOptionTags.Contains(refresh, SipHeaderId.Supported, SipOptionTags.Timer));
        }
        Assert.True(caller.Events.All(SipCallEventKind.Updated).Count >= 2);
        Assert.True(caller.Call.IsSessionRefresher);

        Assert.True(callee.Call.HangUp());
        Assert.Equal(SipCallEndCause.RemoteHangUp, (await caller.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_retry_the_invite_once_at_the_min_se_of_a_422()
    {
        Alice.Options = ShortTimers;
        Bob.Options = Timers with { MinSessionExpires = TimeSpan.FromSeconds(100) };

        var caller = Alice.Call(Bob);
        var refused = await Bob.NextIncomingAsync();
        var ended = await refused.Events.Next(SipCallEventKind.Ended);
        Assert.Equal((SipCallEndCause.Rejected, 422), (ended.Cause!.Value, ended.StatusCode!.Value));
        Assert.Equal("100", ((SipResponse)ended.Message!).Headers.GetFirst(SipHeaderId.MinSE));
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        await caller.Events.Next(SipCallEventKind.Confirmed);

        var retry = caller.Call.Request;
        Assert.Equal(2u, retry.CSeq!.Value.Number);
        Assert.Equal(refused.Call.CallId, caller.Call.CallId);
        Assert.Equal(refused.Call.Request.From!.Tag, retry.From!.Tag);
        Assert.Equal("100", retry.Headers.GetFirst(SipHeaderId.SessionExpires));
        Assert.Equal("100", retry.Headers.GetFirst(SipHeaderId.MinSE));
        Assert.Equal(TimeSpan.FromSeconds(100), caller.Call.SessionInterval);
        Assert.DoesNotContain(SipCallEventKind.Ended, caller.Events.Kinds);

        Assert.True(caller.Call.HangUp());
        await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_answer_a_proxy_challenge_and_a_422_in_turn()
    {
        await DisposeAsync();
        await StartAsync(new EmbeddedRegistrarOptions { AuthenticateRelayedRequests = true });
        Alice.Options = ShortTimers;
        Bob.Options = Timers with { MinSessionExpires = TimeSpan.FromSeconds(100) };

        var caller = Alice.Call(Bob);
        // Bob answers the INVITE below his floor with 422 as it arrives; the test takes the one
        // that follows. The retry comes right behind the 422, and the stack's two UDP receive
        // threads hand both INVITEs to the phone at once, so either may be queued first.
        var callee = await Bob.NextIncomingAsync();
        while (callee.Call.Request.CSeq!.Value.Number < 3)
        {
            await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10)); // the 422
            callee = await Bob.NextIncomingAsync();
        }
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        await caller.Events.Next(SipCallEventKind.Confirmed);

        // 407, then 422 to the authenticated INVITE, then 200 to the third, which still carries credentials.
        Assert.Equal(3u, caller.Call.Request.CSeq!.Value.Number);
        Assert.True(caller.Call.Request.Headers.Contains(SipHeaderId.ProxyAuthorization));
        Assert.Equal("100", caller.Call.Request.Headers.GetFirst(SipHeaderId.SessionExpires));

        Assert.True(caller.Call.HangUp());
        await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_run_no_timer_when_the_callee_does_not_use_timers()
    {
        Alice.Options = ShortTimers;

        var (caller, callee) = await ConnectedCallAsync();

        Assert.Equal("2", callee.Call.Request.Headers.GetFirst(SipHeaderId.SessionExpires));
        var ok = (SipResponse)(await caller.Events.Next(SipCallEventKind.Answered)).Message!;
        Assert.False(ok.Headers.Contains(SipHeaderId.SessionExpires));
        Assert.False(ok.Headers.Contains(SipHeaderId.Require));
        Assert.Null(caller.Call.SessionInterval);
        Assert.Null(callee.Call.SessionInterval);

        // Past the interval the caller asked for: nobody refreshed and nobody hung up.
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.Empty(caller.Events.All(SipCallEventKind.Updated));
        Assert.Equal(SipCallState.Confirmed, callee.Call.State);
        Assert.True(caller.Call.HangUp());
        await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_send_no_timer_headers_when_timers_are_off()
    {
        var (caller, callee) = await ConnectedCallAsync();
        Assert.True(caller.Call.Reinvite());
        var reinvite = (SipRequest)(await callee.Events.Next(SipCallEventKind.Updated)).Message!;
        var ok = (SipResponse)(await caller.Events.Next(SipCallEventKind.Answered)).Message!;

        foreach (SipMessage message in (SipMessage[])[caller.Call.Request, ok, reinvite])
        {
            Assert.False(message.Headers.Contains(SipHeaderId.Supported));
            Assert.False(message.Headers.Contains(SipHeaderId.SessionExpires));
            Assert.False(message.Headers.Contains(SipHeaderId.MinSE));
            Assert.False(message.Headers.Contains(SipHeaderId.Require));
        }
        Assert.Null(caller.Call.SessionInterval);
        Assert.False(caller.Call.IsSessionRefresher);

        Assert.True(caller.Call.HangUp());
        await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_bye_and_end_when_a_refresh_meets_481()
    {
        Alice.Options = ShortTimers;
        Bob.Options = ShortTimers;
        var (caller, callee) = await ConnectedCallAsync();
        var dialog = callee.Call.Dialog!;

        // The callee's side of the dialog vanishes behind the caller's back.
        Stack.Transactions.OnMessage(ScriptedPeer.Impersonate("BYE", dialog, cseq: 10, branch: "z9hG4bK.gone"), new RecordingChannel());
        await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));

        var ended = await caller.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((SipCallEndCause.RemoteHangUp, 481), (ended.Cause!.Value, ended.StatusCode!.Value));
        var refresh = await Bob.NextStrayAsync();
        var bye = await Bob.NextStrayAsync();
        Assert.Equal((SipMethod.Invite, SipMethod.Bye), (refresh.Method, bye.Method));
        Assert.Equal(caller.Call.CallId, bye.CallId);
        await AssertNothingLeftAsync();
    }
}
