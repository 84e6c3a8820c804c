using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;

namespace SipActors.Sip.Tests.Transactions;

public sealed class InviteClientTransactionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipTimerWheel _wheel;
    private readonly SipTransactionLayer _layer;
    private readonly RecordingChannel _channel = new();

    public InviteClientTransactionTests()
    {
        _wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 1024, _time);
        _layer = new SipTransactionLayer(_wheel);
    }

    public void Dispose() => _wheel.Dispose();

    private static SipRequest Invite()
    {
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");
        invite.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK.ic1;rport");
        invite.Headers.Add(SipHeaderId.Route, "<sip:127.0.0.1:5060;lr>");
        invite.Headers.Add(SipHeaderId.From, "<sip:alice@127.0.0.1>;tag=a1");
        invite.Headers.Add(SipHeaderId.To, "<sip:bob@127.0.0.1>");
        invite.Headers.Add(SipHeaderId.CallId, "ic-call");
        invite.Headers.Add(SipHeaderId.CSeq, "7 INVITE");
        return invite;
    }

    private void Advance(TimeSpan by)
    {
        for (var t = TimeSpan.Zero; t < by; t += TimeSpan.FromMilliseconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    private SipResponse Answer(int status, string tag = "b1") => SipResponses.Create((SipRequest)_channel.Sent[0], status, toTag: tag);

    [Fact]
    public async Task Should_retransmit_with_timer_A_doubling_and_time_out_at_timer_B()
    {
        var task = _layer.SendInviteAsync(Invite(), _channel);

        Advance(TimeSpan.FromSeconds(33));

        await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task);
        Assert.Equal(7, _channel.Sent.Count); // 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task Should_acknowledge_a_rejection_on_the_same_branch_and_again_for_its_retransmission()
    {
        var seen = new List<int>();
        var task = _layer.SendInviteAsync(Invite(), _channel, r => seen.Add(r.StatusCode));
        _layer.OnMessage(Answer(180), _channel);
        Advance(TimeSpan.FromSeconds(5)); // no retransmission once a provisional arrived
        _layer.OnMessage(Answer(486), _channel);
        _layer.OnMessage(Answer(486), _channel);

        var final = await task;
        var acks = _channel.Sent.OfType<SipRequest>().Where(r => r.Method == SipMethod.Ack).ToList();

        Assert.Equal(486, final.StatusCode);
        Assert.Equal([180, 486], seen);
        Assert.Single(_channel.Sent, m => m is SipRequest { Method: SipMethod.Invite });
        Assert.Equal(2, acks.Count);
        var ack = acks[0];
        Assert.Equal(("z9hG4bK.ic1", "b1", "7 ACK", "sip:bob@127.0.0.1"), (ack.TopVia!.Branch, ack.To!.Tag, ack.CSeq.ToString(), ack.RequestUriText));
        Assert.Single(ack.Routes);
        Advance(TimeSpan.FromSeconds(33));
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task Should_leave_the_ack_of_a_2xx_to_the_dialog_and_pass_its_retransmissions_on()
    {
        var seen = new List<int>();
        var task = _layer.SendInviteAsync(Invite(), _channel, r => seen.Add(r.StatusCode));
        _layer.OnMessage(Answer(200), _channel);
        _layer.OnMessage(Answer(200), _channel);
        _layer.OnMessage(Answer(200, tag: "forked"), _channel);

        Assert.Equal(200, (await task).StatusCode);
        Assert.Equal([200, 200, 200], seen);
        Assert.DoesNotContain(_channel.Sent, m => m is SipRequest { Method: SipMethod.Ack });
        Advance(TimeSpan.FromSeconds(33)); // Timer M
        Assert.Equal(0, _layer.Count);
    }
}
