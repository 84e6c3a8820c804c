using System.Buffers;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transactions;

/// <summary>
/// A non-INVITE client transaction rents its request's bytes: they must go back to the pool exactly
/// once, whatever ends the transaction, and not before the failure trace (<c>load --trace-errors</c>)
/// has read them, nor while a send still reads them. The pool here poisons what it gets back, so a
/// buffer read after its return shows up as a request that no longer parses.
/// </summary>
public sealed class PooledRequestBufferTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipTimerWheel _wheel;
    private readonly PoisoningPool _pool = new();
    private readonly SipTransactionLayer _layer;

    public PooledRequestBufferTests()
    {
        _wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 1024, _time);
        _layer = new SipTransactionLayer(_wheel) { RequestPool = _pool };
    }

    public void Dispose() => _wheel.Dispose();

    private static SipRequest Register(string branch)
    {
        var request = new SipRequest(SipMethod.Register, "sip:127.0.0.1");
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:40000;branch={branch};rport");
        request.Headers.Add(SipHeaderId.From, "<sip:alice@127.0.0.1>;tag=a");
        request.Headers.Add(SipHeaderId.To, "<sip:alice@127.0.0.1>");
        request.Headers.Add(SipHeaderId.CallId, "call-" + branch);
        request.Headers.Add(SipHeaderId.CSeq, "1 REGISTER");
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
    public async Task Should_let_the_trace_read_a_timed_out_request_before_its_buffer_goes_back_once()
    {
        var trace = new ReadingTrace(_pool);
        _layer.Trace = trace;
        var channel = new RecordingChannel();

        var task = _layer.SendRequestAsync(Register("z9hG4bK.pool1"), channel);
        Advance(TimeSpan.FromSeconds(33)); // Timer F, after ten retransmissions from the same buffer

        await Assert.ThrowsAsync<SipTransactionTimeoutException>(() => task);
        var seen = Assert.Single(trace.Seen);
        Assert.Equal("call-z9hG4bK.pool1", seen.CallId);
        Assert.Equal(0, seen.ReturnedBeforeTrace);
        Assert.Equal(11, channel.Sent.Count);
        Assert.All(channel.Sent, m => Assert.Equal("call-z9hG4bK.pool1", m.CallId));
        Assert.Equal(1, _pool.Rented);
        Assert.Equal(1, _pool.Returned);
        Assert.Equal(0, _pool.ReturnedTwice);
    }

    [Fact]
    public async Task Should_let_the_trace_read_a_refused_request_and_give_its_buffer_back_once_despite_retransmitted_finals()
    {
        var trace = new ReadingTrace(_pool);
        _layer.Trace = trace;
        var channel = new RecordingChannel();

        var task = _layer.SendRequestAsync(Register("z9hG4bK.pool2"), channel);
        var forbidden = SipResponses.Create((SipRequest)channel.Sent[0], 403);
        _layer.OnMessage(forbidden, channel);
        _layer.OnMessage(SipResponses.Create((SipRequest)channel.Sent[0], 403), channel); // retransmitted final: absorbed
        Advance(TimeSpan.FromSeconds(6)); // Timer K: it leaves the table

        Assert.Equal(403, (await task).StatusCode);
        var seen = Assert.Single(trace.Seen);
        Assert.Equal("call-z9hG4bK.pool2", seen.CallId);
        Assert.Equal(403, seen.Status);
        Assert.Equal(0, seen.ReturnedBeforeTrace);
        Assert.Single(channel.Sent); // nothing retransmitted after the final
        Assert.Equal(1, _pool.Returned);
        Assert.Equal(0, _pool.ReturnedTwice);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task Should_give_the_buffer_back_once_when_the_send_fails()
    {
        var trace = new ReadingTrace(_pool);
        _layer.Trace = trace;
        var channel = new RecordingChannel { OnSend = _ => new SipTransportException("connection refused") };

        await Assert.ThrowsAsync<SipTransportException>(() => _layer.SendRequestAsync(Register("z9hG4bK.pool3"), channel));

        Assert.Equal("call-z9hG4bK.pool3", Assert.Single(trace.Seen).CallId);
        Assert.Equal(1, _pool.Returned);
        Assert.Equal(0, _pool.ReturnedTwice);
    }

    [Fact]
    public async Task Should_keep_the_buffer_while_a_send_still_reads_it_after_the_connection_was_lost()
    {
        // A stream send waits (its write lock, a full socket) while the connection drops: the
        // transaction fails at once, but the bytes stay out of the pool until that send is done.
        var channel = new PendingSendChannel();
        var task = _layer.SendRequestAsync(Register("z9hG4bK.pool4"), channel);
        channel.Lose(new SipTransportException("reset by peer"));

        await Assert.ThrowsAsync<SipTransportException>(() => task);
        Assert.Equal(0, _pool.Returned);

        channel.CompleteSends();
        for (var i = 0; i < 100 && _pool.Returned == 0; i++)
        {
            await Task.Delay(20); // the send's continuation may run on the pool
        }
        Assert.Equal(1, _pool.Returned);
        Assert.Equal(0, _pool.ReturnedTwice);
    }

    [Fact]
    public async Task Should_give_back_every_buffer_of_ten_thousand_answered_transactions_once()
    {
        var channel = new RecordingChannel();
        channel.Answer = m => _layer.OnMessage(SipResponses.Create((SipRequest)m, 200), channel);

        var tasks = Enumerable.Range(0, 10_000).Select(i => _layer.SendRequestAsync(Register("z9hG4bK.many" + i), channel)).ToList();
        await Task.WhenAll(tasks);

        Assert.Equal(10_000, _pool.Rented);
        Assert.Equal(10_000, _pool.Returned);
        Assert.Equal(0, _pool.ReturnedTwice);
    }

    /// <summary>What the trace read of a request while it was called, and whether the pool already had the buffer.</summary>
    private sealed record TraceEntry(string? CallId, int? Status, int ReturnedBeforeTrace);

    /// <summary>Reads the request during the call, as the CLI's trace does (it parses it to redact it).</summary>
    private sealed class ReadingTrace(PoisoningPool pool) : ISipTransactionTrace
    {
        public List<TraceEntry> Seen { get; } = [];

        public void OnClientTransactionEnded(string method, ReadOnlyMemory<byte> request, SipChannel channel, SipResponse? response, Exception? error)
        {
            string? callId;
            try
            {
                callId = SipMessage.Parse(request.Span).CallId;
            }
            catch (SipParseException)
            {
                callId = null; // poisoned: the buffer was back in the pool
            }
            lock (Seen)
            {
                Seen.Add(new TraceEntry(callId, response?.StatusCode, pool.Returned));
            }
        }
    }

    /// <summary>An array pool that counts rents and returns per array and overwrites what it gets back.</summary>
    private sealed class PoisoningPool : ArrayPool<byte>
    {
        private readonly Dictionary<byte[], int> _returns = new(ReferenceEqualityComparer.Instance);

        public int Rented { get; private set; }
        public int Returned { get; private set; }
        public int ReturnedTwice { get; private set; }

        public override byte[] Rent(int minimumLength)
        {
            lock (_returns)
            {
                Rented++;
                var array = new byte[minimumLength];
                _returns[array] = 0;
                return array;
            }
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_returns)
            {
                Array.Fill(array, (byte)0xFF);
                Returned++;
                if (++_returns[array] > 1)
                {
                    ReturnedTwice++;
                }
            }
        }
    }

    /// <summary>A connection whose sends stay pending until released, and which can be lost meanwhile.</summary>
    private sealed class PendingSendChannel : SipChannel
    {
        private readonly List<TaskCompletionSource> _sends = [];

        public override SipTransportKind Kind => SipTransportKind.Tcp;

        public override IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 40000);

        public override IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 5060);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        {
            var send = new TaskCompletionSource();
            _sends.Add(send);
            return new ValueTask(send.Task);
        }

        public void Lose(Exception error) => OnClosed(error);

        public void CompleteSends()
        {
            foreach (var send in _sends)
            {
                send.SetResult();
            }
        }
    }
}
