using System.Text;
using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Registrar;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.Calls;

/// <summary>Two accounts of one stack, registered on the embedded registrar over UDP loopback, call each other through it.</summary>
public sealed class SipCallTests : LoopbackCallTests
{
    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Alice calls bob, who rings first and then answers; both sides confirmed.</summary>
    private async Task<((SipCall Call, CallRecorder Events) Caller, (SipCall Call, CallRecorder Events) Callee)> RungAndAnsweredCallAsync()
    {
        var caller = Alice.Call(Bob, "v=0 alice");
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Ring());
        await caller.Events.Next(SipCallEventKind.Ringing);
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        await caller.Events.Next(SipCallEventKind.Confirmed);
        await callee.Events.Next(SipCallEventKind.Confirmed);
        return (caller, callee);
    }

    [Fact]
    public async Task Should_ring_answer_and_confirm_then_end_on_the_callers_bye()
    {
        var (caller, callee) = await RungAndAnsweredCallAsync();

        Assert.Equal(SipCallState.Confirmed, caller.Call.State);
        Assert.Equal(SipCallDirection.Incoming, callee.Call.Direction);
        Assert.Equal("v=0 alice", Text(callee.Call.RemoteSdp));
        var answered = await caller.Events.Next(SipCallEventKind.Answered);
        Assert.Equal(200, answered.StatusCode);
        Assert.Equal("v=0 bob", Text(answered.RemoteSdp));
        Assert.Equal(2, Stack.Dialogs.Count);
        Assert.Equal(caller.Call.CallId, callee.Call.CallId);

        Assert.True(caller.Call.HangUp());

        var remoteEnd = await callee.Events.Next(SipCallEventKind.Ended);
        var localEnd = await caller.Events.Next(SipCallEventKind.Ended);
        Assert.Equal(SipCallEndCause.RemoteHangUp, remoteEnd.Cause);
        Assert.Equal(SipCallEndCause.LocalHangUp, localEnd.Cause);
        Assert.Equal([SipCallEventKind.Ringing, SipCallEventKind.Answered, SipCallEventKind.Confirmed, SipCallEventKind.Ended], caller.Events.Kinds);
        Assert.Equal([SipCallEventKind.Ringing, SipCallEventKind.Answered, SipCallEventKind.Confirmed, SipCallEventKind.Ended], callee.Events.Kinds);
        Assert.False(caller.Call.HangUp());
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_end_both_sides_on_the_callees_bye()
    {
        var (caller, callee) = await RungAndAnsweredCallAsync();

        Assert.True(callee.Call.HangUp());

        Assert.Equal(SipCallEndCause.RemoteHangUp, (await caller.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        Assert.Equal(SipCallEndCause.LocalHangUp, (await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_end_the_call_rejected_with_the_callees_status()
    {
        var caller = Alice.Call(Bob);
        var callee = await Bob.NextIncomingAsync();

        Assert.True(callee.Call.Reject(486));

        var ended = await caller.Events.Next(SipCallEventKind.Ended);
        Assert.Equal((SipCallEndCause.Rejected, 486, true), (ended.Cause!.Value, ended.StatusCode!.Value, ended.ByRemote));
        var rejected = await callee.Events.Next(SipCallEventKind.Ended);
        Assert.Equal((SipCallEndCause.Rejected, 486, false), (rejected.Cause!.Value, rejected.StatusCode!.Value, rejected.ByRemote));
        Assert.False(callee.Call.Answer(Sdp("too late")));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_cancel_a_ringing_call_and_end_both_sides_cancelled()
    {
        var caller = Alice.Call(Bob);
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Ring());
        await caller.Events.Next(SipCallEventKind.Ringing);

        Assert.True(caller.Call.HangUp());

        var ended = await caller.Events.Next(SipCallEventKind.Ended);
        Assert.Equal((SipCallEndCause.Cancelled, 487, false), (ended.Cause!.Value, ended.StatusCode!.Value, ended.ByRemote));
        var cancelled = await callee.Events.Next(SipCallEventKind.Ended);
        Assert.Equal(SipCallEndCause.Cancelled, cancelled.Cause);
        Assert.True(cancelled.ByRemote);
        Assert.False(callee.Call.Answer(Sdp("too late")));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_answer_a_reinvite_with_the_current_sdp_and_update_both_sides()
    {
        var (caller, callee) = await RungAndAnsweredCallAsync();

        Assert.True(caller.Call.Reinvite(Sdp("v=0 alice on hold")));

        var updated = await caller.Events.Next(SipCallEventKind.Updated);
        Assert.Equal(200, updated.StatusCode);
        Assert.Equal("v=0 bob", Text(updated.RemoteSdp));
        Assert.Equal("v=0 alice on hold", Text(caller.Call.LocalSdp));
        var offered = await callee.Events.Next(SipCallEventKind.Updated);
        Assert.True(offered.ByRemote);
        Assert.Equal("v=0 alice on hold", Text(callee.Call.RemoteSdp));
        Assert.Equal(2u, caller.Call.Dialog!.LocalCSeq);

        // The re-INVITE's 2xx was acknowledged: the callee is free to hang up at once.
        Assert.True(callee.Call.HangUp());
        Assert.Equal(SipCallEndCause.RemoteHangUp, (await caller.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_answer_an_in_dialog_options_with_200_and_refuse_an_old_cseq_with_500()
    {
        var (caller, callee) = await RungAndAnsweredCallAsync();
        var dialog = callee.Call.Dialog!;
        var probe = new RecordingChannel();

        Stack.Transactions.OnMessage(InDialog("OPTIONS", dialog, cseq: 10, branch: "z9hG4bK.opt"), probe);
        Stack.Transactions.OnMessage(InDialog("BYE", dialog, cseq: 3, branch: "z9hG4bK.old"), probe);

        var responses = probe.Sent.Cast<SipResponse>().ToList();
        Assert.Equal([200, 500], responses.Select(r => r.StatusCode));
        Assert.Contains("INVITE", responses[0].Allow);
        Assert.Equal(SipCallState.Confirmed, callee.Call.State);
        Assert.True(callee.Call.HangUp()); // the caller's own BYE would now be out of order: CSeq 10 was seen
        await caller.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public void Should_answer_481_to_a_request_in_an_unknown_or_unmatchable_dialog()
    {
        var probe = new RecordingChannel();
        var unknown = new SipRequest(SipMethod.Bye, "sip:bob@127.0.0.1");
        AddDialogHeaders(unknown, "BYE", "<sip:alice@127.0.0.1>;tag=nobody", "<sip:bob@127.0.0.1>;tag=nothing", "no-such-call", 5, "z9hG4bK.u1");
        var untagged = new SipRequest(SipMethod.Bye, "sip:bob@127.0.0.1");
        AddDialogHeaders(untagged, "BYE", "<sip:alice@127.0.0.1>", "<sip:bob@127.0.0.1>;tag=b1", "no-from-tag", 5, "z9hG4bK.u2");

        Stack.Transactions.OnMessage(SipMessage.Parse(unknown.ToArray()), probe);
        Stack.Transactions.OnMessage(SipMessage.Parse(untagged.ToArray()), probe);

        Assert.Equal([481, 481], probe.Sent.Cast<SipResponse>().Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Should_retransmit_an_unacknowledged_2xx_then_bye_and_end_no_ack()
    {
        var probe = new RecordingChannel();
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");
        AddDialogHeaders(invite, "INVITE", "<sip:sipp@127.0.0.1>;tag=s1", "<sip:bob@127.0.0.1>", "never-acked", 1, "z9hG4bK.na");
        invite.Headers.Add(SipHeaderId.Contact, "<sip:sipp@127.0.0.1:5999>");
        Stack.Transactions.OnMessage(SipMessage.Parse(invite.ToArray()), probe);
        var callee = await Bob.NextIncomingAsync();

        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));

        var ended = await callee.Events.Next(SipCallEventKind.Ended);
        Assert.Equal(SipCallEndCause.NoAck, ended.Cause);
        var oks = Oks(probe);
        Assert.True(oks >= 3, $"the 2xx went {oks} times"); // 0, T1, 3*T1, … within 64*T1
        Assert.Equal([SipCallEventKind.Answered, SipCallEventKind.Ended], callee.Events.Kinds);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_stop_retransmitting_the_2xx_when_the_ack_comes()
    {
        var probe = new RecordingChannel();
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");
        AddDialogHeaders(invite, "INVITE", "<sip:sipp@127.0.0.1>;tag=s2", "<sip:bob@127.0.0.1>", "acked", 4, "z9hG4bK.ak");
        Stack.Transactions.OnMessage(SipMessage.Parse(invite.ToArray()), probe);
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));

        var ack = new SipRequest(SipMethod.Ack, "sip:bob@127.0.0.1");
        AddDialogHeaders(ack, "ACK", "<sip:sipp@127.0.0.1>;tag=s2", "<sip:bob@127.0.0.1>;tag=" + callee.Call.Dialog!.LocalTag, "acked", 4, "z9hG4bK.ak2");
        Stack.Transactions.OnMessage(SipMessage.Parse(ack.ToArray()), probe);

        await callee.Events.Next(SipCallEventKind.Confirmed);
        var oks = Oks(probe);
        var bye = new SipRequest(SipMethod.Bye, "sip:bob@127.0.0.1");
        AddDialogHeaders(bye, "BYE", "<sip:sipp@127.0.0.1>;tag=s2", "<sip:bob@127.0.0.1>;tag=" + callee.Call.Dialog!.LocalTag, "acked", 5, "z9hG4bK.by");
        await Task.Delay(FastTimers.T1 * 8); // several retransmission intervals: none may follow the ACK
        Stack.Transactions.OnMessage(SipMessage.Parse(bye.ToArray()), probe);

        Assert.Equal(SipCallEndCause.RemoteHangUp, (await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        Assert.Equal(oks, Oks(probe));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_answer_a_proxy_challenge_to_the_invite_once()
    {
        await DisposeAsync();
        await StartAsync(new EmbeddedRegistrarOptions { AuthenticateRelayedRequests = true });

        var before = Registrar.Challenges;

        var caller = Alice.Call(Bob);
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));

        await caller.Events.Next(SipCallEventKind.Confirmed);
        Assert.Equal(2u, caller.Call.Request.CSeq!.Value.Number);
        Assert.True(caller.Call.Request.Headers.Contains(SipHeaderId.ProxyAuthorization));
        Assert.Equal(before + 1, Registrar.Challenges);

        // The BYE is challenged too, and answered once.
        Assert.True(caller.Call.HangUp());
        Assert.Equal(SipCallEndCause.RemoteHangUp, (await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        Assert.Equal(before + 2, Registrar.Challenges);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_answer_a_proxy_challenge_to_a_re_invite_once()
    {
        await DisposeAsync();
        await StartAsync(new EmbeddedRegistrarOptions { AuthenticateRelayedRequests = true });
        var caller = Alice.Call(Bob);
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        await caller.Events.Next(SipCallEventKind.Confirmed);
        await callee.Events.Next(SipCallEventKind.Confirmed);
        var before = Registrar.Challenges;

        Assert.True(caller.Call.Reinvite(Sdp("v=0 alice again")));

        await caller.Events.Next(SipCallEventKind.Updated);
        Assert.Equal("v=0 alice again", Text((await callee.Events.Next(SipCallEventKind.Updated)).RemoteSdp));
        Assert.Equal(before + 1, Registrar.Challenges); // challenged once, answered once
        Assert.Equal(SipCallState.Confirmed, caller.Call.State);
        Assert.True(caller.Call.HangUp());
        await callee.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Should_end_calls_with_connection_lost_when_the_account_disconnects()
    {
        var (caller, callee) = await RungAndAnsweredCallAsync();

        await Alice.Agent.DisconnectAsync();

        Assert.Equal(SipCallEndCause.ConnectionLost, (await caller.Call.Ended.WaitAsync(TimeSpan.FromSeconds(10))).Cause);
        Assert.Equal(0, Alice.Agent.CallCount);
        Assert.True(callee.Call.HangUp());
    }

    private static int Oks(RecordingChannel channel)
    {
        lock (channel.Sent)
        {
            return channel.Sent.OfType<SipResponse>().Count(r => r.StatusCode == 200 && r.CSeq!.Value.Method == SipMethod.Invite);
        }
    }

    private static SipMessage InDialog(string method, SipDialog calleeDialog, uint cseq, string branch)
    {
        var request = new SipRequest(method, "sip:bob@127.0.0.1");
        AddDialogHeaders(request, method, calleeDialog.RemoteParty, calleeDialog.LocalParty, calleeDialog.CallId, cseq, branch);
        return SipMessage.Parse(request.ToArray());
    }

    private static void AddDialogHeaders(SipRequest request, string method, string from, string to, string callId, uint cseq, string branch)
    {
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:5999;branch={branch}");
        request.Headers.Add(SipHeaderId.MaxForwards, "70");
        request.Headers.Add(SipHeaderId.From, from);
        request.Headers.Add(SipHeaderId.To, to);
        request.Headers.Add(SipHeaderId.CallId, callId);
        request.Headers.Add(SipHeaderId.CSeq, $"{cseq} {method}");
    }
}
