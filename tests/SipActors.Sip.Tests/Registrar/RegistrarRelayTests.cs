using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Registrar;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registrar;

/// <summary>The relay between two recording channels: what goes to the callee's flow and what comes back to the caller.</summary>
public sealed class RegistrarRelayTests : IDisposable
{
    // Timer F = 64 × T1 = 1.3 s: short enough for the no-answer case, long enough for a loaded machine's answers.
    private static readonly SipTimerSettings FastTimers = new() { T1 = TimeSpan.FromMilliseconds(20), T2 = TimeSpan.FromMilliseconds(80), T4 = TimeSpan.FromMilliseconds(100) };
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly SipTimerWheel _wheel = new(TimeSpan.FromMilliseconds(5));
    private readonly SipTransactionLayer _transactions;
    private readonly LocationService _locations = new(TimeProvider.System, 60, 3600);
    private readonly RegistrarRelay _relay;
    private readonly RecordingChannel _caller = new(SipTransportKind.Udp);
    private readonly RecordingChannel _callee = new(SipTransportKind.Tcp);
    private readonly List<SipServerTransaction> _notRelayed = [];

    public RegistrarRelayTests()
    {
        _transactions = new SipTransactionLayer(_wheel, FastTimers);
        _relay = new RegistrarRelay(_transactions, _locations);
        _transactions.RequestReceived = t =>
        {
            if (t.Request.Method == SipMethod.Ack)
            {
                _relay.RelayAck(t.Request);
            }
            else if (!_relay.TryRelay(t))
            {
                lock (_notRelayed)
                {
                    _notRelayed.Add(t);
                }
            }
        };
        _locations.Update("bob", "bob-reg", 1, 300, false,
            [SipNameAddress.Parse("<sip:bob@127.0.0.1:5090;transport=tcp>"u8)], _callee);
    }

    public void Dispose() => _wheel.Dispose();

    private static SipRequest Request(string method, string user = "bob", int maxForwards = 70, string branch = "z9hG4bK-caller-1", string cseqMethod = "")
        => (SipRequest)SipMessage.Parse(SampleMessages.Bytes($"""
            {method} sip:{user}@127.0.0.1 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}
            Route: <sip:127.0.0.1;lr>
            Max-Forwards: {maxForwards}
            From: <sip:alice@127.0.0.1>;tag=a1
            To: <sip:{user}@127.0.0.1>
            Call-ID: relay-1
            CSeq: 1 {(cseqMethod == "" ? method : cseqMethod)}
            X-Test: kept
            Content-Type: text/plain
            Content-Length: 5

            hello
            """));

    /// <summary>The callee answers each request with these statuses, off the sending thread as a network would.</summary>
    private void CalleeAnswers(params int[] statuses)
        => _callee.Answer = m =>
        {
            if (m is SipRequest { Method: not (SipMethod.Ack or SipMethod.Cancel) } request)
            {
                _ = Task.Run(() =>
                {
                    foreach (var status in statuses)
                    {
                        _transactions.OnMessage(SipResponses.Create(request, status, toTag: "b1"), _callee);
                    }
                });
            }
        };

    private static async Task<T> WaitFor<T>(RecordingChannel channel, Func<SipMessage, bool> match) where T : SipMessage
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            lock (channel.Sent)
            {
                if (channel.Sent.FirstOrDefault(match) is T found)
                {
                    return found;
                }
            }
            await Task.Delay(10, timeout.Token);
        }
    }

    private static string[] Vias(SipMessage message) => [.. message.Headers.GetValues(SipHeaderId.Via)];

    [Fact]
    public async Task Should_relay_to_the_callees_flow_with_our_Via_and_pass_the_answer_back_without_it()
    {
        CalleeAnswers(200);

        _transactions.OnMessage(Request("MESSAGE"), _caller);
        var relayed = await WaitFor<SipRequest>(_callee, m => m is SipRequest);
        var answer = await WaitFor<SipResponse>(_caller, m => m is SipResponse);

        Assert.Equal("sip:bob@127.0.0.1:5090;transport=tcp", relayed.RequestUriText);
        var vias = Vias(relayed);
        Assert.Equal(2, vias.Length);
        Assert.StartsWith($"SIP/2.0/TCP {_callee.LocalEndPoint};branch=z9hG4bK", vias[0], StringComparison.Ordinal);
        Assert.Equal("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-caller-1", vias[1]);
        Assert.Equal(69, relayed.MaxForwards);
        Assert.False(relayed.Headers.Contains(SipHeaderId.Route));
        Assert.Equal("kept", relayed.Headers.GetFirst("X-Test"));
        Assert.Equal("hello", Encoding.UTF8.GetString(relayed.Body.Span));
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(["SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-caller-1"], Vias(answer));
        Assert.Empty(_notRelayed);
    }

    [Fact]
    public void Should_leave_a_request_for_an_unknown_user_or_a_lost_flow_to_the_caller()
    {
        _transactions.OnMessage(Request("MESSAGE", user: "nobody"), _caller);
        _callee.Lose(null);
        _transactions.OnMessage(Request("MESSAGE", branch: "z9hG4bK-caller-2"), _caller);

        Assert.Equal(2, _notRelayed.Count);
        Assert.Empty(_callee.Sent);
        Assert.Empty(_caller.Sent);
    }

    [Fact]
    public async Task Should_answer_483_when_max_forwards_is_used_up()
    {
        _transactions.OnMessage(Request("MESSAGE", maxForwards: 0), _caller);

        var answer = await WaitFor<SipResponse>(_caller, m => m is SipResponse);

        Assert.Equal(483, answer.StatusCode);
        Assert.Equal(RegistrarResponses.ServerName, answer.Headers.GetFirst(SipHeaderId.Server));
        Assert.Empty(_callee.Sent);
    }

    [Fact]
    public async Task Should_answer_408_when_the_callee_is_silent_and_503_when_its_flow_fails()
    {
        // An INVITE: a silent callee's non-INVITE ends with our server transaction (64 × T1, like
        // Timer F), so no 408 goes back for it, as RFC 3261 §16.7 step 5 wants of a proxy anyway.
        _transactions.OnMessage(Request("INVITE"), _caller);
        var timedOut = await WaitFor<SipResponse>(_caller, m => m is SipResponse { StatusCode: >= 200 });
        _callee.OnSend = _ => new SipTransportException("flow broke");
        _transactions.OnMessage(Request("MESSAGE", branch: "z9hG4bK-caller-2"), _caller);
        var failed = await WaitFor<SipResponse>(_caller, m => m is SipResponse { StatusCode: >= 200 } r && r.StatusCode != 408);

        Assert.Equal(408, timedOut.StatusCode);
        Assert.Equal(503, failed.StatusCode);
    }

    [Fact]
    public async Task Should_pass_an_INVITEs_ringing_and_2xx_back_and_relay_its_ACK()
    {
        CalleeAnswers(180, 200);

        _transactions.OnMessage(Request("INVITE"), _caller);
        var ok = await WaitFor<SipResponse>(_caller, m => m is SipResponse { StatusCode: 200 });
        var ringing = await WaitFor<SipResponse>(_caller, m => m is SipResponse { StatusCode: 180 });
        _transactions.OnMessage(Request("ACK", branch: "z9hG4bK-caller-ack"), _caller);
        var ack = await WaitFor<SipRequest>(_callee, m => m is SipRequest { Method: SipMethod.Ack });

        Assert.Equal(["SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-caller-1"], Vias(ok));
        Assert.Equal(["SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-caller-1"], Vias(ringing));
        Assert.Equal("sip:bob@127.0.0.1:5090;transport=tcp", ack.RequestUriText);
        Assert.Equal(2, Vias(ack).Length);
        Assert.Equal(69, ack.MaxForwards);
    }

    [Fact]
    public async Task Should_cancel_the_relayed_INVITE_when_the_caller_cancels()
    {
        CalleeAnswers(180);

        _transactions.OnMessage(Request("INVITE"), _caller);
        var invite = await WaitFor<SipRequest>(_callee, m => m is SipRequest { Method: SipMethod.Invite });
        await WaitFor<SipResponse>(_caller, m => m is SipResponse { StatusCode: 180 });
        _transactions.OnMessage(Request("CANCEL", cseqMethod: "CANCEL"), _caller);
        var cancel = await WaitFor<SipRequest>(_callee, m => m is SipRequest { Method: SipMethod.Cancel });
        var terminated = await WaitFor<SipResponse>(_caller, m => m is SipResponse { StatusCode: 487 });

        Assert.Equal(invite.RequestUriText, cancel.RequestUriText);
        Assert.Equal(Vias(invite)[0], Assert.Single(Vias(cancel)));
        Assert.Equal($"{invite.CSeq!.Value.Number} CANCEL", cancel.Headers.GetFirst(SipHeaderId.CSeq));
        Assert.Equal(487, terminated.StatusCode);
    }
}
