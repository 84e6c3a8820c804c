using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;

namespace SipActors.Sip.Tests.Transactions;

public sealed class InviteServerTransactionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipTimerWheel _wheel;
    private readonly SipTransactionLayer _layer;
    private readonly RecordingChannel _channel = new();
    private readonly List<SipServerTransaction> _handled = [];

    public InviteServerTransactionTests()
    {
        _wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 1024, _time);
        _layer = new SipTransactionLayer(_wheel) { RequestReceived = _handled.Add };
    }

    public void Dispose() => _wheel.Dispose();

    private static SipRequest Request(string method, string branch = "z9hG4bK.inv1", string? toTag = null)
    {
        var request = new SipRequest(method, "sip:bob@127.0.0.1:40000");
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:5060;branch={branch}");
        request.Headers.Add(SipHeaderId.From, "<sip:alice@127.0.0.1>;tag=a1");
        request.Headers.Add(SipHeaderId.To, "<sip:bob@127.0.0.1>" + (toTag is null ? "" : ";tag=" + toTag));
        request.Headers.Add(SipHeaderId.CallId, "call-inv");
        request.Headers.Add(SipHeaderId.CSeq, $"1 {method}");
        return (SipRequest)SipMessage.Parse(request.ToArray());
    }

    private void Advance(TimeSpan by)
    {
        for (var t = TimeSpan.Zero; t < by; t += TimeSpan.FromMilliseconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    private List<int> Statuses() => _channel.Sent.OfType<SipResponse>().Select(r => r.StatusCode).ToList();

    [Fact]
    public async Task Should_send_trying_after_200_ms_without_an_answer_and_retransmit_a_rejection_until_the_ack()
    {
        _layer.OnMessage(Request("INVITE"), _channel);
        var invite = Assert.Single(_handled);
        Advance(TimeSpan.FromMilliseconds(150));
        Assert.Empty(Statuses());
        Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal([100], Statuses());

        await invite.RespondAsync(invite.CreateResponse(486, toTag: "b1"));
        Advance(TimeSpan.FromSeconds(1.6)); // Timer G: 0.5 s, then 1 s later
        var ack = new SipRequest("ACK", "sip:bob@127.0.0.1:40000");
        ack.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.inv1");
        ack.Headers.Add(SipHeaderId.From, "<sip:alice@127.0.0.1>;tag=a1");
        ack.Headers.Add(SipHeaderId.To, "<sip:bob@127.0.0.1>;tag=b1");
        ack.Headers.Add(SipHeaderId.CallId, "call-inv");
        ack.Headers.Add(SipHeaderId.CSeq, "1 ACK");
        _layer.OnMessage(SipMessage.Parse(ack.ToArray()), _channel);
        Advance(TimeSpan.FromSeconds(10));

        Assert.Equal([100, 486, 486, 486], Statuses());
        Assert.Single(_handled); // the ACK was absorbed by the transaction
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task Should_give_up_at_timer_H_when_no_ack_comes()
    {
        _layer.OnMessage(Request("INVITE"), _channel);
        await _handled[0].RespondAsync(_handled[0].CreateResponse(603, toTag: "b1"));

        Advance(TimeSpan.FromSeconds(33));

        Assert.Equal(0, _layer.Count);
        Assert.InRange(Statuses().Count(s => s == 603), 9, 12);
    }

    [Fact]
    public void Should_answer_a_retransmitted_invite_with_trying_at_once_then_with_the_last_provisional()
    {
        _layer.OnMessage(Request("INVITE"), _channel);
        _layer.OnMessage(Request("INVITE"), _channel);
        Assert.Equal([100], Statuses());

        Advance(TimeSpan.FromMilliseconds(300)); // the 200 ms timer finds the 100 sent: not a second one
        _layer.OnMessage(Request("INVITE"), _channel);

        Assert.Equal([100, 100], Statuses());
        Assert.Single(_handled);
    }

    [Fact]
    public async Task Should_send_no_trying_when_the_invite_is_answered_within_200_ms()
    {
        _layer.OnMessage(Request("INVITE"), _channel);
        Advance(TimeSpan.FromMilliseconds(50));
        await _handled[0].RespondAsync(_handled[0].CreateResponse(200, toTag: "b1"));

        Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([200], Statuses());
    }

    [Fact]
    public void Should_answer_487_to_a_cancelled_invite_and_200_to_the_cancel()
    {
        var cancelled = 0;
        _layer.OnMessage(Request("INVITE"), _channel);
        _handled[0].Cancelled += _ => cancelled++;

        _layer.OnMessage(Request("CANCEL"), _channel);

        Assert.Equal([487, 200], Statuses()); // within 200 ms: no 100 before the 487
        Assert.Equal(1, cancelled);
        Assert.Equal("CANCEL", _channel.Sent.OfType<SipResponse>().Last().CSeq!.Value.MethodName);
    }

    [Fact]
    public void Should_answer_481_to_a_cancel_that_matches_nothing()
    {
        _layer.OnMessage(Request("CANCEL", branch: "z9hG4bK.nothing"), _channel);

        Assert.Equal([481], Statuses());
    }

    [Fact]
    public async Task Should_absorb_invite_retransmissions_after_a_2xx_until_timer_L()
    {
        _layer.OnMessage(Request("INVITE"), _channel);
        await _handled[0].RespondAsync(_handled[0].CreateResponse(200, toTag: "b1"));

        _layer.OnMessage(Request("INVITE"), _channel);
        Advance(TimeSpan.FromSeconds(33));

        Assert.Equal([200], Statuses()); // answered at once: no 100, and the retransmission got nothing
        Assert.Single(_handled);
        Assert.Equal(0, _layer.Count);
    }
}
