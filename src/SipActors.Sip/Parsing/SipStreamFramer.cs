using System.Buffers;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Parsing;

/// <summary>
/// Cuts SIP messages out of a byte stream (TCP, TLS, a WebSocket's reassembled data): the head
/// ends at the first CRLF CRLF and the body is exactly Content-Length bytes (RFC 3261 §18.3; a
/// missing Content-Length on a stream means no body). CRLF keep-alives between messages are
/// reported, not treated as errors. Stateless: the caller keeps the unread bytes between reads.
/// </summary>
public sealed class SipStreamFramer(SipParserLimits? limits = null)
{
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    private readonly SipParserLimits _limits = limits ?? SipParserLimits.Default;

    /// <summary>
    /// Reads one frame from the front of <paramref name="buffer"/>, which is advanced past it. With
    /// <see cref="SipFrameKind.NeedMoreData"/> nothing is consumed. A malformed or oversized message
    /// throws <see cref="SipParseException"/>: framing is then lost and the connection should close.
    /// </summary>
    public SipFrameKind TryRead(ref ReadOnlySequence<byte> buffer, out SipMessage? message)
    {
        message = null;
        if (buffer.IsEmpty)
        {
            return SipFrameKind.NeedMoreData;
        }

        var first = buffer.FirstSpan[0];
        if (first is SipSyntax.CR or SipSyntax.LF)
        {
            return ReadKeepAlive(ref buffer);
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeadEnd, advancePastDelimiter: true))
        {
            if (buffer.Length > _limits.MaxMessageBytes)
            {
                SipParseException.Throw(SipParseError.MessageTooLarge, _limits.MaxMessageBytes,
                    $"no end of headers within {_limits.MaxMessageBytes} bytes");
            }
            return SipFrameKind.NeedMoreData;
        }

        var headLength = (int)Math.Min(head.Length + HeadEnd.Length, int.MaxValue);
        var contentLength = FindContentLength(head);
        if (contentLength > _limits.MaxBodyBytes)
        {
            SipParseException.Throw(SipParseError.BodyTooLarge, headLength, $"Content-Length {contentLength} exceeds the limit of {_limits.MaxBodyBytes}");
        }
        var total = (long)headLength + contentLength;
        if (total > _limits.MaxMessageBytes)
        {
            SipParseException.Throw(SipParseError.MessageTooLarge, 0, $"message of {total} bytes exceeds the limit of {_limits.MaxMessageBytes}");
        }
        if (buffer.Length < total)
        {
            return SipFrameKind.NeedMoreData;
        }

        var bytes = new byte[total];
        buffer.Slice(0, total).CopyTo(bytes);
        message = SipMessage.ParseOwned(bytes, isStream: true, _limits);
        buffer = buffer.Slice(total);
        return SipFrameKind.Message;
    }

    private static SipFrameKind ReadKeepAlive(ref ReadOnlySequence<byte> buffer)
    {
        Span<byte> peek = stackalloc byte[4];
        var n = (int)Math.Min(buffer.Length, 4);
        buffer.Slice(0, n).CopyTo(peek);
        peek = peek[..n];
        if (peek.StartsWith("\r\n\r\n"u8))
        {
            buffer = buffer.Slice(4);
            return SipFrameKind.KeepAlivePing;
        }
        if (peek.StartsWith("\r\n"u8))
        {
            // "\r\n\r" may be the start of a ping whose last byte has not arrived.
            if (n == 3 && peek[2] == SipSyntax.CR)
            {
                return SipFrameKind.NeedMoreData;
            }
            buffer = buffer.Slice(2);
            return SipFrameKind.KeepAlivePong;
        }
        if (peek[0] == SipSyntax.CR && n == 1)
        {
            return SipFrameKind.NeedMoreData;
        }
        // A bare LF or CR is not a keep-alive; tolerate it as RFC 3261 §7.5 asks for stray line breaks before a message.
        buffer = buffer.Slice(1);
        return SipFrameKind.KeepAlivePong;
    }

    /// <summary>The Content-Length of a message head (0 when absent), read without parsing the rest.</summary>
    private int FindContentLength(ReadOnlySequence<byte> head)
    {
        if (head.IsSingleSegment)
        {
            return FindContentLength(head.FirstSpan);
        }
        if (head.Length > _limits.MaxMessageBytes)
        {
            SipParseException.Throw(SipParseError.MessageTooLarge, 0, $"header section exceeds the limit of {_limits.MaxMessageBytes} bytes");
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)head.Length);
        try
        {
            head.CopyTo(rented);
            return FindContentLength(rented.AsSpan(0, (int)head.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int FindContentLength(ReadOnlySpan<byte> head)
    {
        var result = 0;
        var lineStart = head.IndexOf(SipSyntax.LF) + 1; // skip the start line
        while (lineStart > 0 && lineStart < head.Length)
        {
            var rest = head[lineStart..];
            var lf = rest.IndexOf(SipSyntax.LF);
            var line = lf < 0 ? rest : rest[..lf];
            var colon = line.IndexOf(SipSyntax.Colon);
            if (colon > 0 && line[0] is not (SipSyntax.SP or SipSyntax.HT)
                && SipHeaderNames.Lookup(SipSyntax.TrimWhitespace(line[..colon])) == SipHeaderId.ContentLength)
            {
                var value = SipSyntax.TrimWhitespace(line[(colon + 1)..]);
                if (!value.IsEmpty && value[^1] == SipSyntax.CR)
                {
                    value = SipSyntax.TrimWhitespace(value[..^1]);
                }
                if (value.IsEmpty || value.Length > 9 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                {
                    SipParseException.Throw(SipParseError.InvalidContentLength, lineStart + colon + 1, "Content-Length is not a non-negative decimal integer");
                }
                result = int.Parse(value, provider: System.Globalization.CultureInfo.InvariantCulture);
            }
            if (lf < 0)
            {
                break;
            }
            lineStart += lf + 1;
        }
        return result;
    }
}
