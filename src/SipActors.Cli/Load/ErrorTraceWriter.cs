using System.Globalization;
using System.Text;
using System.Threading.Channels;
using SipActors.Sip;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Cli.Load;

/// <summary>
/// <c>--trace-errors FILE</c>: the SIP messages of every failed client transaction, as SIPp's
/// <c>-trace_err</c> keeps the messages that went wrong. A transaction failed when it got a final
/// response of 300 or more, except the 401/407 challenge that a request without credentials is
/// expected to get (and one that says the nonce was stale), or no final response at all (a
/// timeout, a transport error). Credentials are redacted; the first <see cref="MaxEntries"/>
/// failures are written, and the file says how many more there were.
/// </summary>
/// <remarks>
/// The trace hears transactions on the receive loops and the timer wheel: it formats a failure
/// there (the response's arrays are reused afterwards) and queues the text; one task writes the
/// file. Successful transactions cost a status check.
/// </remarks>
internal sealed class ErrorTraceWriter : ISipTransactionTrace, IAsyncDisposable
{
    public const int MaxEntries = 10_000;

    private readonly StreamWriter _writer;
    private readonly Channel<string> _entries = Channel.CreateBounded<string>(new BoundedChannelOptions(MaxEntries) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _loop;
    private long _failures;
    private long _dropped;

    private ErrorTraceWriter(StreamWriter writer)
    {
        _writer = writer;
        _loop = WriteAsync();
    }

    /// <summary>Opens (truncates) <paramref name="path"/>.</summary>
    public static ErrorTraceWriter Start(string path) => new(new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" });

    /// <summary>Failed transactions seen so far, written or not.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void OnClientTransactionEnded(string method, ReadOnlyMemory<byte> request, SipChannel channel, SipResponse? response, Exception? error)
    {
        if (!IsFailure(request.Span, response))
        {
            return;
        }
        if (Interlocked.Increment(ref _failures) > MaxEntries || !_entries.Writer.TryWrite(Format(method, request.Span, channel, response, error)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Whether a transaction that ended with <paramref name="response"/> (null: no final response) failed.</summary>
    internal static bool IsFailure(ReadOnlySpan<byte> request, SipResponse? response)
    {
        if (response is null)
        {
            return true;
        }
        var status = response.StatusCode;
        if (status < 300)
        {
            return false;
        }
        if (status is 401 or 407)
        {
            var credentials = status == 401 ? "\r\nAuthorization:"u8 : "\r\nProxy-Authorization:"u8;
            var challenge = status == 401 ? SipHeaderId.WwwAuthenticate : SipHeaderId.ProxyAuthenticate;
            var stale = response.Headers.TryGetValue(challenge, out var value) && Contains(value, "stale=true"u8);
            return request.IndexOf(credentials) >= 0 && !stale;
        }
        return true;
    }

    private static bool Contains(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerNeedle)
    {
        for (var i = 0; i + lowerNeedle.Length <= text.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(text.Slice(i, lowerNeedle.Length), lowerNeedle))
            {
                return true;
            }
        }
        return false;
    }

    private static string Format(string method, ReadOnlySpan<byte> request, SipChannel channel, SipResponse? response, Exception? error)
    {
        var outcome = response is not null
            ? $"{response.StatusCode.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}"
            : error?.Message ?? "no final response";
        var text = new StringBuilder(2048)
            .Append("# ").Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(' ').Append(method).Append(" over ").Append(channel).Append(": ").Append(outcome).Append('\n')
            .Append("--> sent\n").Append(Redacted(request)).Append('\n');
        if (response is not null)
        {
            text.Append("<-- received\n").Append(Lines(response.ToString())).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The request as a log shows it: Authorization and Proxy-Authorization replaced (the message's own log form).</summary>
    private static string Redacted(ReadOnlySpan<byte> request)
    {
        try
        {
            return Lines(SipMessage.Parse(request).ToString());
        }
        catch (SipParseException e)
        {
            // Our own request always parses; if it did not, its bytes are not written: they may hold credentials.
            return $"(the request did not parse again: {e.Message})\n";
        }
    }

    /// <summary>CRLF line ends as LF, as the rest of the file has them.</summary>
    private static string Lines(string message) => message.Replace("\r\n", "\n", StringComparison.Ordinal);

    private async Task WriteAsync()
    {
        await foreach (var entry in _entries.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await _writer.WriteAsync(entry).ConfigureAwait(false);
            if (_entries.Reader.Count == 0)
            {
                await _writer.FlushAsync().ConfigureAwait(false); // a run cut short keeps what was traced
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        var dropped = Interlocked.Read(ref _dropped);
        if (dropped > 0)
        {
            await _writer.WriteLineAsync($"# {dropped.ToString(CultureInfo.InvariantCulture)} more failed transactions not written: the trace keeps the first {MaxEntries.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
    }
}
