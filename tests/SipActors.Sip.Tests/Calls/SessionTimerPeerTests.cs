using System.Diagnostics;
using System.Text;
using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Calls;

/// <summary>
/// RFC 4028 session timers of bob's incoming calls from a <see cref="ScriptedPeer"/>: what the 2xx
/// says for each offer, the 420 and 422 refusals, and a refresher that falls silent.
/// </summary>
public sealed class SessionTimerPeerTests : LoopbackCallTests
{
    private static readonly SipCallOptions Timers = SessionTimerTests.Timers;
    private static readonly SipCallOptions ShortTimers = SessionTimerTests.ShortTimers;

    [Theory]
    [InlineData("timer", "1800", null, "1800;refresher=uac", true)]
    [InlineData("timer", "1800;refresher=uas", null, "1800;refresher=uas", true)]
    [InlineData("timer", "120;refresher=uac", "120", "120;refresher=uac", true)]
    [InlineData(null, "1800", null, "1800;refresher=uas", false)] // Session-Expires put in by a proxy: only we can refresh
    [InlineData(null, "60", null, "90;refresher=uas", false)] // below our floor, from a UAC that cannot read 422: raised
    [InlineData("timer", null, "2000", "2000;refresher=uac", true)] // it asks for no timer: we ask, not below its Min-SE
    [InlineData("100rel, timer", null, null, "1800;refresher=uac", true)]
    public async Task Should_answer_an_offer_with_the_interval_and_refresher_of_rfc4028_section_9(
        string? supported, string? sessionExpires, string? minSE, string answered, bool requireTimer)
    {
        Bob.Options = Timers;
        var probe = new RecordingChannel();
        var extra = new List<(SipHeaderId, string)>();
        AddIf(extra, SipHeaderId.Supported, supported);
        AddIf(extra, SipHeaderId.SessionExpires, sessionExpires);
        AddIf(extra, SipHeaderId.MinSE, minSE);
        var callId = "neg-" + SipIdentifiers.NewTag();
        Stack.Transactions.OnMessage(ScriptedPeer.Invite(callId, [.. extra]), probe);
        var callee = await Bob.NextIncomingAsync();

        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));

        var ok = ScriptedPeer.Responses(probe, 200).First();
        Assert.Equal(answered, ok.Headers.GetFirst(SipHeaderId.SessionExpires));
        Assert.Equal(requireTimer, SipOptionTags.Contains(ok, SipHeaderId.Require, SipOptionTags.Timer));
        Assert.True(SipOptionTags.Contains(ok, SipHeaderId.Supported, SipOptionTags.Timer));
        Assert.Equal(SipSessionExpires.Parse(Encoding.ASCII.GetBytes(answered)).Interval, callee.Call.SessionInterval);
        Assert.Equal(answered.EndsWith("uas", StringComparison.Ordinal), callee.Call.IsSessionRefresher);
        await AckAndByeAsync(callee, probe);
    }

    [Fact]
    public async Task Should_answer_422_with_our_floor_to_an_interval_below_it()
    {
        Bob.Options = Timers;
        var probe = new RecordingChannel();

        Stack.Transactions.OnMessage(ScriptedPeer.Invite("too-small", (SipHeaderId.Supported, "timer"), (SipHeaderId.SessionExpires, "60")), probe);
        var callee = await Bob.NextIncomingAsync();

        var ended = await callee.Events.Next(SipCallEventKind.Ended);
        Assert.Equal((SipCallEndCause.Rejected, 422), (ended.Cause!.Value, ended.StatusCode!.Value));
        Assert.Equal("90", ScriptedPeer.Responses(probe, 422).Single().Headers.GetFirst(SipHeaderId.MinSE));
        Assert.False(callee.Call.Answer(Sdp("too late")));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_answer_420_to_an_invite_that_requires_timers_when_they_are_off()
    {
        var probe = new RecordingChannel();

        Stack.Transactions.OnMessage(ScriptedPeer.Invite("requires", (SipHeaderId.Require, "timer"), (SipHeaderId.SessionExpires, "1800")), probe);
        var callee = await Bob.NextIncomingAsync();

        var ended = await callee.Events.Next(SipCallEventKind.Ended);
        Assert.Equal((SipCallEndCause.Rejected, 420), (ended.Cause!.Value, ended.StatusCode!.Value));
        Assert.Equal("timer", ScriptedPeer.Responses(probe, 420).Single().Headers.GetFirst(SipHeaderId.Unsupported));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_ignore_session_expires_without_require_when_timers_are_off()
    {
        var probe = new RecordingChannel();
        Stack.Transactions.OnMessage(ScriptedPeer.Invite("ignored", (SipHeaderId.Supported, "timer"), (SipHeaderId.SessionExpires, "1800")), probe);
        var callee = await Bob.NextIncomingAsync();

        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));

        var ok = ScriptedPeer.Responses(probe, 200).First();
        Assert.False(ok.Headers.Contains(SipHeaderId.SessionExpires));
        Assert.False(ok.Headers.Contains(SipHeaderId.Require));
        Assert.Null(callee.Call.SessionInterval);
        await AckAndByeAsync(callee, probe);
    }

    [Fact]
    public async Task Should_bye_and_end_session_timer_expired_when_the_refresher_never_refreshes()
    {
        Bob.Options = ShortTimers;
        var probe = new RecordingChannel();
        Stack.Transactions.OnMessage(ScriptedPeer.Invite("silent",
            (SipHeaderId.Supported, "timer"), (SipHeaderId.SessionExpires, "2;refresher=uac"), (SipHeaderId.MinSE, "1")), probe);
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        var clock = Stopwatch.StartNew();
        Assert.Equal("2;refresher=uac", ScriptedPeer.Responses(probe, 200).First().Headers.GetFirst(SipHeaderId.SessionExpires));
        Stack.Transactions.OnMessage(ScriptedPeer.InDialog("ACK", callee.Call, 1), probe);

        var ended = await callee.Events.Next(SipCallEventKind.Ended);

        Assert.Equal(SipCallEndCause.SessionTimerExpired, ended.Cause);
        Assert.False(ended.ByRemote);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(5)); // 2 s less min(32 s, 2/3 s)
        var bye = await Alice.NextStrayAsync(); // the peer's Contact is alice's: the registrar takes the BYE there
        Assert.Equal((SipMethod.Bye, "silent"), (bye.Method, bye.CallId));
        Assert.Equal(callee.Call.Dialog!.LocalTag, bye.From!.Tag);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_restart_the_interval_on_the_peers_update()
    {
        Bob.Options = ShortTimers with { SessionExpires = TimeSpan.FromSeconds(3) };
        var probe = new RecordingChannel();
        Stack.Transactions.OnMessage(ScriptedPeer.Invite("updated",
            (SipHeaderId.Supported, "timer"), (SipHeaderId.SessionExpires, "3;refresher=uac"), (SipHeaderId.MinSE, "1")), probe);
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        var clock = Stopwatch.StartNew();
        Stack.Transactions.OnMessage(ScriptedPeer.InDialog("ACK", callee.Call, 1), probe);

        // Without a refresh the callee would give up at 2 s (3 s less 1 s); the UPDATE at 1 s moves that to 3 s.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Stack.Transactions.OnMessage(ScriptedPeer.InDialog("UPDATE", callee.Call, 2,
            (SipHeaderId.Supported, "timer"), (SipHeaderId.SessionExpires, "3;refresher=uac")), probe);
        var ok = ScriptedPeer.Responses(probe, 200).Single(r => r.CSeq!.Value.Method == SipMethod.Update);
        Assert.Equal("3;refresher=uac", ok.Headers.GetFirst(SipHeaderId.SessionExpires));
        Assert.True(ok.Body.IsEmpty);
        Assert.Equal(SipCallEventKind.Updated, (await callee.Events.Next(SipCallEventKind.Updated)).Kind);
        var remaining = TimeSpan.FromSeconds(2.5) - clock.Elapsed;
        await Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        Assert.Equal(SipCallState.Confirmed, callee.Call.State);

        var ended = await callee.Events.Next(SipCallEventKind.Ended);
        Assert.Equal(SipCallEndCause.SessionTimerExpired, ended.Cause);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.8), $"ended after {clock.Elapsed}");
        await Alice.NextStrayAsync();
        await AssertNothingLeftAsync();
    }

    private static void AddIf(List<(SipHeaderId, string)> headers, SipHeaderId id, string? value)
    {
        if (value is not null)
        {
            headers.Add((id, value));
        }
    }

    private async Task AckAndByeAsync((SipCall Call, CallRecorder Events) callee, RecordingChannel probe)
    {
        Stack.Transactions.OnMessage(ScriptedPeer.InDialog("ACK", callee.Call, 1), probe);
        await callee.Events.Next(SipCallEventKind.Confirmed);
        Stack.Transactions.OnMessage(ScriptedPeer.InDialog("BYE", callee.Call, 2), probe);
        Assert.Equal(SipCallEndCause.RemoteHangUp, (await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        Assert.Equal(0, Stack.Dialogs.Count); // the BYE's transaction lingers for Timer J; the other tests see the table empty
    }
}
