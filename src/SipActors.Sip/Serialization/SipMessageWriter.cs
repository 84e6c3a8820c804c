using System.Buffers.Text;
using System.Text;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Serialization;

/// <summary>
/// Writes messages in wire form. The length is computed first so the caller can rent one buffer of
/// the exact size; Content-Length is always written, once, from the body's length (where the first
/// Content-Length line stood, else last), so a message can never disagree with its own body.
/// </summary>
internal static class SipMessageWriter
{
    private static ReadOnlySpan<byte> Version => "SIP/2.0"u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> ColonSpace => ": "u8;
    private static ReadOnlySpan<byte> ContentLengthName => "Content-Length: "u8;

    public static int GetRequestLineByteCount(string method, int uriLength) => method.Length + 1 + uriLength + 1 + Version.Length + 2;

    public static int WriteRequestLine(string method, ReadOnlySpan<byte> uri, Span<byte> destination)
    {
        var n = Encoding.ASCII.GetBytes(method, destination);
        destination[n++] = (byte)' ';
        uri.CopyTo(destination[n..]);
        n += uri.Length;
        destination[n++] = (byte)' ';
        Version.CopyTo(destination[n..]);
        n += Version.Length;
        Crlf.CopyTo(destination[n..]);
        return n + 2;
    }

    public static int GetStatusLineByteCount(int reasonLength) => Version.Length + 5 + reasonLength + 2;

    public static int WriteStatusLine(int statusCode, ReadOnlySpan<byte> reason, Span<byte> destination)
    {
        Version.CopyTo(destination);
        var n = Version.Length;
        destination[n++] = (byte)' ';
        destination[n++] = (byte)('0' + statusCode / 100);
        destination[n++] = (byte)('0' + statusCode / 10 % 10);
        destination[n++] = (byte)('0' + statusCode % 10);
        destination[n++] = (byte)' ';
        reason.CopyTo(destination[n..]);
        n += reason.Length;
        Crlf.CopyTo(destination[n..]);
        return n + 2;
    }

    public static int GetByteCount(SipMessage message)
    {
        var headers = message.Headers;
        var total = message.GetStartLineByteCount();
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers.GetId(i) != SipHeaderId.ContentLength)
            {
                total += headers.GetNameSpan(i).Length + ColonSpace.Length + headers.GetValueSpan(i).Length + Crlf.Length;
            }
        }
        total += ContentLengthName.Length + DigitCount(message.Body.Length) + Crlf.Length;
        return total + Crlf.Length + message.Body.Length;
    }

    public static int Write(SipMessage message, Span<byte> destination)
    {
        var headers = message.Headers;
        var n = message.WriteStartLine(destination);
        var contentLengthWritten = false;
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers.GetId(i) == SipHeaderId.ContentLength)
            {
                if (!contentLengthWritten)
                {
                    n += WriteContentLength(message.Body.Length, destination[n..]);
                    contentLengthWritten = true;
                }
                continue;
            }
            n += Append(headers.GetNameSpan(i), destination[n..]);
            n += Append(ColonSpace, destination[n..]);
            n += Append(headers.GetValueSpan(i), destination[n..]);
            n += Append(Crlf, destination[n..]);
        }
        if (!contentLengthWritten)
        {
            n += WriteContentLength(message.Body.Length, destination[n..]);
        }
        n += Append(Crlf, destination[n..]);
        n += Append(message.Body.Span, destination[n..]);
        return n;
    }

    /// <summary>Text for logs: the wire form with credentials cut out.</summary>
    public static string ToLogString(SipMessage message)
    {
        var sb = new StringBuilder(message.GetByteCount() + 16);
        var start = new byte[message.GetStartLineByteCount()];
        message.WriteStartLine(start);
        sb.Append(Encoding.UTF8.GetString(start));
        var headers = message.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var id = headers.GetId(i);
            if (id == SipHeaderId.ContentLength)
            {
                continue;
            }
            sb.Append(Encoding.ASCII.GetString(headers.GetNameSpan(i))).Append(": ");
            sb.Append(id is SipHeaderId.Authorization or SipHeaderId.ProxyAuthorization
                ? "<credentials redacted>"
                : Encoding.UTF8.GetString(headers.GetValueSpan(i)));
            sb.Append("\r\n");
        }
        sb.Append("Content-Length: ").Append(message.Body.Length).Append("\r\n\r\n");
        sb.Append(Encoding.UTF8.GetString(message.Body.Span));
        return sb.ToString();
    }

    private static int WriteContentLength(int length, Span<byte> destination)
    {
        var n = Append(ContentLengthName, destination);
        Utf8Formatter.TryFormat(length, destination[n..], out var digits);
        n += digits;
        return n + Append(Crlf, destination[n..]);
    }

    private static int Append(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }
}
