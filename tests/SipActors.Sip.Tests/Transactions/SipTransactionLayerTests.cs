using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transactions;

public sealed class SipTransactionLayerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipTimerWheel _wheel;
    private readonly SipTransactionLayer _layer;

    public SipTransactionLayerTests()
    {
        _wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 1024, _time);
        _layer = new SipTransactionLayer(_wheel);
    }

    public void Dispose() => _wheel.Dispose();

    private static SipRequest Register(string branch, uint cseq = 1)
    {
        var request = new SipRequest(SipMethod.Register, "sip:127.0.0.1");
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:40000;branch={branch};rport");
        request.Headers.Add(SipHeaderId.From, "<sip:alice@127.0.0.1>;tag=a");
        request.Headers.Add(SipHeaderId.To, "<sip:alice@127.0.0.1>");
        request.Headers.Add(SipHeaderId.CallId, "call-" + branch);
        request.Headers.Add(SipHeaderId.CSeq, $"{cseq} REGISTER");
        return request;
    }

    private void Advance(TimeSpan by)
    {
        for (var t = TimeSpan.Zero; t < by; t += TimeSpan.FromMilliseconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    [Fact]
    public async Task Should_retransmit_over_udp_with_doubling_intervals_and_time_out_at_timer_F()
    {
        var channel = new RecordingChannel();
        var sentAt = new List<TimeSpan>();
        var start = _time.GetUtcNow();
        channel.OnSend = _ => { sentAt.Add(_time.GetUtcNow() - start); return null; };

        var task = _layer.SendRequestAsync(Register("z9hG4bK.t1"), channel);
        Advance(TimeSpan.FromSeconds(33));

        var error = await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task);
        Assert.Contains("REGISTER", error.Message, StringComparison.Ordinal);
        // 0, 0.5, 1.5, 3.5, 7.5, then every 4 s up to 32 s (RFC 3261 §17.1.2.2): 11 sends in all.
        var expected = new[] { 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 };
        Assert.Equal(expected.Length, sentAt.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(sentAt[i].TotalSeconds, expected[i], expected[i] + 0.03);
        }
        Assert.Equal(0, _layer.Count);
        Assert.Equal(0, _wheel.Count);
    }

    [Fact]
    public async Task Should_time_out_at_timer_F_after_the_same_retransmissions_for_a_branch_made_here()
    {
        // Such a branch is looked up by its counter, not its text (ClientTransactionKey); Timer E's
        // last firing is Timer F's.
        var channel = new RecordingChannel();
        var sentAt = new List<TimeSpan>();
        var start = _time.GetUtcNow();
        channel.OnSend = _ => { sentAt.Add(_time.GetUtcNow() - start); return null; };

        var task = _layer.SendRequestAsync(Register(SipIdentifiers.NewBranch()), channel);
        Advance(TimeSpan.FromSeconds(31.9));
        Assert.False(task.IsCompleted);
        Advance(TimeSpan.FromSeconds(0.2));

        await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task);
        var expected = new[] { 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 };
        Assert.Equal(expected.Length, sentAt.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(sentAt[i].TotalSeconds, expected[i], expected[i] + 0.03);
        }
        Assert.Equal(0, _layer.Count);
        Assert.Equal(0, _wheel.Count);
    }

    [Fact]
    public async Task Should_match_responses_to_a_branch_made_here_and_to_its_cancel_apart()
    {
        var channel = new RecordingChannel(SipTransportKind.Tcp);
        var branch = SipIdentifiers.NewBranch();
        var register = _layer.SendRequestAsync(Register(branch), channel);
        var cancelRequest = new SipRequest(SipMethod.Cancel, "sip:127.0.0.1");
        cancelRequest.Headers.Add(SipHeaderId.Via, $"SIP/2.0/TCP 127.0.0.1:40000;branch={branch}");
        cancelRequest.Headers.Add(SipHeaderId.From, "<sip:alice@127.0.0.1>;tag=a");
        cancelRequest.Headers.Add(SipHeaderId.To, "<sip:alice@127.0.0.1>");
        cancelRequest.Headers.Add(SipHeaderId.CallId, "call-" + branch);
        cancelRequest.Headers.Add(SipHeaderId.CSeq, "1 CANCEL");
        var cancel = _layer.SendRequestAsync(cancelRequest, channel);
        Assert.Equal(2, _layer.Count);

        _layer.OnMessage(SipResponses.Create((SipRequest)channel.Sent[1], 481), channel);
        _layer.OnMessage(SipResponses.Create((SipRequest)channel.Sent[0], 401), channel);
        // A branch of this process that no transaction holds (any longer) is a stray response.
        _layer.OnMessage(SipResponses.Create(Register(SipIdentifiers.NewBranch()), 200), channel);

        Assert.Equal(401, (await register).StatusCode);
        Assert.Equal(481, (await cancel).StatusCode);
        Assert.Equal(1, _layer.StrayResponses);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task Should_complete_with_the_final_response_absorb_its_retransmissions_and_leave_after_timer_K()
    {
        var channel = new RecordingChannel();
        channel.Answer = m => _layer.OnMessage(SipResponses.Create((SipRequest)m, 100), channel);

        var task = _layer.SendRequestAsync(Register("z9hG4bK.t2"), channel);
        // 100 Trying arrived at once: the armed Timer E still fires at 0.5 s, then Proceeding resends every T2
        // (RFC 3261 §17.1.2.2), so by 4.1 s there were 2 sends where Trying would have made 4.
        Advance(TimeSpan.FromSeconds(4.1));
        Assert.Equal(2, channel.Sent.Count);

        var ok = SipResponses.Create((SipRequest)channel.Sent[0], 200);
        _layer.OnMessage(ok, channel);
        _layer.OnMessage(ok, channel);
        var response = await task;

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(1, _layer.Count);
        Advance(TimeSpan.FromSeconds(5.1));
        Assert.Equal(0, _layer.Count);
        Assert.Equal(0, _wheel.Count);
        Assert.Equal(2, channel.Sent.Count);
    }

    [Fact]
    public async Task Should_not_retransmit_on_a_reliable_transport_and_leave_at_once()
    {
        var channel = new RecordingChannel(SipTransportKind.Tcp);

        var task = _layer.SendRequestAsync(Register("z9hG4bK.t3"), channel);
        Advance(TimeSpan.FromSeconds(10));
        _layer.OnMessage(SipResponses.Create((SipRequest)channel.Sent[0], 401), channel);

        Assert.Equal(401, (await task).StatusCode);
        Assert.Single(channel.Sent);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task Should_fail_with_a_transport_error_when_the_send_fails()
    {
        var channel = new RecordingChannel { OnSend = _ => new SipTransportException("connection refused") };

        var error = await Assert.ThrowsAsync<SipTransportException>(() => _layer.SendRequestAsync(Register("z9hG4bK.t4"), channel));

        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _layer.Count);
        Assert.Equal(0, _wheel.Count);
    }

    [Fact]
    public async Task Should_leave_the_table_empty_after_ten_thousand_register_transactions()
    {
        var channel = new RecordingChannel();
        channel.Answer = m => _layer.OnMessage(SipResponses.Create((SipRequest)m, 200), channel);

        var tasks = new List<Task<SipResponse>>();
        for (var i = 0; i < 10_000; i++)
        {
            tasks.Add(_layer.SendRequestAsync(Register("z9hG4bK.many" + i), channel));
        }
        var responses = await Task.WhenAll(tasks);
        Assert.Equal(10_000, _layer.Count); // completed, absorbing retransmissions for T4
        Advance(TimeSpan.FromSeconds(5.1));

        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(0, _layer.Count);
        Assert.Equal(0, _wheel.Count);
    }

    [Fact]
    public void Should_answer_a_retransmitted_request_with_the_same_response_and_hand_it_over_once()
    {
        var channel = new RecordingChannel();
        var handled = 0;
        _layer.RequestReceived = t =>
        {
            handled++;
            _ = t.RespondAsync(t.CreateResponse(200, toTag: "srv"));
        };
        var options = new SipRequest(SipMethod.Options, "sip:alice@127.0.0.1:40000");
        options.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.in1");
        options.Headers.Add(SipHeaderId.From, "<sip:srv@127.0.0.1>;tag=s");
        options.Headers.Add(SipHeaderId.To, "<sip:alice@127.0.0.1>");
        options.Headers.Add(SipHeaderId.CallId, "opt-1");
        options.Headers.Add(SipHeaderId.CSeq, "5 OPTIONS");

        _layer.OnMessage(SipMessage.Parse(options.ToArray()), channel);
        _layer.OnMessage(SipMessage.Parse(options.ToArray()), channel);

        Assert.Equal(1, handled);
        Assert.Equal(2, channel.Sent.Count);
        var response = Assert.IsType<SipResponse>(channel.Sent[1]);
        Assert.Equal((200, "srv", "opt-1"), (response.StatusCode, response.To!.Tag, response.CallId));
        Advance(TimeSpan.FromSeconds(32.1));
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public void Should_drop_a_server_transaction_whose_handler_never_answers()
    {
        _layer.RequestReceived = _ => { };
        var message = new SipRequest(SipMethod.Message, "sip:alice@127.0.0.1");
        message.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.in2");
        message.Headers.Add(SipHeaderId.CSeq, "1 MESSAGE");

        _layer.OnMessage(message, new RecordingChannel());
        Assert.Equal(1, _layer.Count);
        Advance(TimeSpan.FromSeconds(32.1));

        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public void Should_count_responses_that_match_no_transaction()
    {
        _layer.OnMessage(SipMessage.Parse(SampleMessages.Bytes(SampleMessages.RegisterOk)), new RecordingChannel());

        Assert.Equal(1, _layer.StrayResponses);
    }
}
