using SipActors.Sip.Headers;

namespace SipActors.Sip.Parsing;

/// <summary>
/// Reads the start line and header fields of one SIP message (RFC 3261 §7, §25) from a buffer the
/// caller owns, reporting what it finds to a handler. It builds no objects: the handler decides what
/// to keep. Folded header lines are joined in place (the line break becomes spaces), which is why
/// the buffer is writable. Bad input is a <see cref="SipParseException"/>, never anything else.
/// </summary>
internal static class SipParser
{
    /// <summary>Outcome of reading a message head.</summary>
    internal readonly record struct HeadResult(int BodyStart, int ContentLength);

    /// <summary>
    /// Parses the head of the message in <paramref name="buffer"/> (leading CRLFs skipped) and returns
    /// where the body starts and the Content-Length (-1 when absent).
    /// </summary>
    public static HeadResult ParseHead<THandler>(Span<byte> buffer, SipParserLimits limits, ref THandler handler)
        where THandler : struct, ISipMessageHandler
    {
        var pos = buffer.IndexOfAnyExcept(SipSyntax.LineBreaks);
        if (pos < 0)
        {
            SipParseException.Throw(SipParseError.Incomplete, buffer.Length, "no start line");
        }

        var lineEnd = FindLineEnd(buffer, pos, out var next);
        if (lineEnd < 0)
        {
            ThrowNoLineEnd(buffer, pos, limits.MaxStartLineBytes, SipParseError.StartLineTooLong, "start line");
        }
        if (lineEnd - pos > limits.MaxStartLineBytes)
        {
            SipParseException.Throw(SipParseError.StartLineTooLong, pos, $"start line is longer than {limits.MaxStartLineBytes} bytes");
        }
        ParseStartLine(buffer, pos, lineEnd, ref handler);
        pos = next;

        var contentLength = -1;
        var headerCount = 0;
        while (true)
        {
            lineEnd = FindLineEnd(buffer, pos, out next);
            if (lineEnd < 0)
            {
                ThrowNoLineEnd(buffer, pos, limits.MaxHeaderBytes, SipParseError.HeaderTooLong, "header section");
            }
            if (lineEnd == pos)
            {
                return new HeadResult(next, contentLength);
            }
            var first = buffer[pos];
            if (first is SipSyntax.SP or SipSyntax.HT)
            {
                SipParseException.Throw(SipParseError.InvalidHeader, pos, "a continuation line with no header before it", buffer);
            }

            // Join continuation lines (RFC 3261 §7.3.1): their line break is turned into spaces,
            // which the grammar treats the same as the original LWS.
            while (next < buffer.Length && buffer[next] is SipSyntax.SP or SipSyntax.HT)
            {
                buffer[lineEnd..next].Fill(SipSyntax.SP);
                lineEnd = FindLineEnd(buffer, next, out next);
                if (lineEnd < 0)
                {
                    ThrowNoLineEnd(buffer, pos, limits.MaxHeaderBytes, SipParseError.HeaderTooLong, "header section");
                }
            }
            if (lineEnd - pos > limits.MaxHeaderBytes)
            {
                SipParseException.Throw(SipParseError.HeaderTooLong, pos, $"header line is longer than {limits.MaxHeaderBytes} bytes", buffer);
            }
            if (++headerCount > limits.MaxHeaderCount)
            {
                SipParseException.Throw(SipParseError.TooManyHeaders, pos, $"more than {limits.MaxHeaderCount} header lines");
            }
            ParseHeaderLine(buffer, pos, lineEnd, ref contentLength, ref handler);
            pos = next;
        }
    }

    /// <summary>
    /// The end of the line starting at <paramref name="start"/> (at its CR, or its LF when the CR is
    /// missing), and in <paramref name="next"/> where the following line starts; -1 when no LF follows.
    /// A CR not followed by LF inside a line is malformed: it could hide a header from one reader and not another.
    /// </summary>
    private static int FindLineEnd(ReadOnlySpan<byte> buffer, int start, out int next)
    {
        // One scan for either break: a CR must be followed by LF; a bare LF is tolerated.
        var at = buffer[start..].IndexOfAny(SipSyntax.LineBreaks);
        if (at < 0)
        {
            next = buffer.Length;
            return -1;
        }
        at += start;
        if (buffer[at] == SipSyntax.LF)
        {
            next = at + 1;
            return at;
        }
        if (at + 1 >= buffer.Length)
        {
            next = buffer.Length;
            return -1;
        }
        if (buffer[at + 1] != SipSyntax.LF)
        {
            SipParseException.Throw(SipParseError.InvalidHeader, at, "a CR not followed by LF", buffer);
        }
        next = at + 2;
        return at;
    }

    private static void ThrowNoLineEnd(ReadOnlySpan<byte> buffer, int pos, int limit, SipParseError tooLong, string what)
    {
        if (buffer.Length - pos > limit)
        {
            SipParseException.Throw(tooLong, pos, $"{what} has no line end within {limit} bytes");
        }
        SipParseException.Throw(SipParseError.Incomplete, buffer.Length, $"{what} is not terminated by an empty line");
    }

    private static void ParseStartLine<THandler>(ReadOnlySpan<byte> buffer, int start, int end, ref THandler handler)
        where THandler : struct, ISipMessageHandler
    {
        var line = buffer[start..end];
        if (line.StartsWith("SIP/"u8) || (line.Length > 4 && System.Text.Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8)))
        {
            ParseStatusLine(buffer, start, line, ref handler);
            return;
        }

        var sp1 = line.IndexOf(SipSyntax.SP);
        if (sp1 <= 0)
        {
            SipParseException.Throw(sp1 == 0 ? SipParseError.InvalidStartLine : SipParseError.InvalidStartLine, start,
                sp1 == 0 ? "start line begins with whitespace" : "start line is neither a Request-Line nor a Status-Line", buffer);
        }
        var method = line[..sp1];
        if (!SipSyntax.IsToken(method))
        {
            SipParseException.Throw(SipParseError.InvalidMethod, start, "method is not a token", buffer);
        }
        var sp2 = line.LastIndexOf(SipSyntax.SP);
        if (sp2 == sp1)
        {
            SipParseException.Throw(SipParseError.InvalidStartLine, start + sp1, "Request-Line needs Method SP Request-URI SP SIP-Version", buffer);
        }
        var version = line[(sp2 + 1)..];
        if (version.IsEmpty)
        {
            SipParseException.Throw(SipParseError.InvalidStartLine, start + sp2, "whitespace at the end of the Request-Line", buffer);
        }
        CheckVersion(buffer, start + sp2 + 1, version);

        var uri = line[(sp1 + 1)..sp2];
        if (uri.IsEmpty || uri[0] == SipSyntax.SP)
        {
            SipParseException.Throw(SipParseError.InvalidStartLine, start + sp1, "more than one SP between Method and Request-URI", buffer);
        }
        if (uri[^1] == SipSyntax.SP)
        {
            SipParseException.Throw(SipParseError.InvalidStartLine, start + sp2, "more than one SP between Request-URI and SIP-Version", buffer);
        }
        var ws = uri.IndexOfAny(SipSyntax.Whitespace);
        if (ws >= 0)
        {
            SipParseException.Throw(SipParseError.InvalidRequestUri, start + sp1 + 1 + ws, "whitespace inside the Request-URI", buffer);
        }
        if (uri[0] == SipSyntax.LAngle)
        {
            SipParseException.Throw(SipParseError.InvalidRequestUri, start + sp1 + 1, "the Request-URI must not be enclosed in <>", buffer);
        }
        if (!HasScheme(uri))
        {
            SipParseException.Throw(SipParseError.InvalidRequestUri, start + sp1 + 1, "the Request-URI has no scheme", buffer);
        }
        var control = uri.IndexOfAnyInRange((byte)0, (byte)0x1F);
        if (control >= 0 || uri.Contains((byte)0x7F))
        {
            SipParseException.Throw(SipParseError.InvalidRequestUri, start + sp1 + 1 + Math.Max(control, 0), "a control character inside the Request-URI", buffer);
        }
        handler.OnRequestLine(SipMethods.FromName(method), method, start + sp1 + 1, uri.Length);
    }

    private static void ParseStatusLine<THandler>(ReadOnlySpan<byte> buffer, int start, ReadOnlySpan<byte> line, ref THandler handler)
        where THandler : struct, ISipMessageHandler
    {
        var sp = line.IndexOf(SipSyntax.SP);
        if (sp < 0)
        {
            SipParseException.Throw(SipParseError.InvalidStartLine, start, "Status-Line needs SIP-Version SP Status-Code", buffer);
        }
        CheckVersion(buffer, start, line[..sp]);
        var rest = line[(sp + 1)..];
        if (rest.Length < 3 || (rest.Length > 3 && rest[3] != SipSyntax.SP)
            || !char.IsAsciiDigit((char)rest[0]) || !char.IsAsciiDigit((char)rest[1]) || !char.IsAsciiDigit((char)rest[2]))
        {
            SipParseException.Throw(SipParseError.InvalidStatusCode, start + sp + 1, "Status-Code is not three digits", buffer);
        }
        var code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (code is < 100 or > 699)
        {
            SipParseException.Throw(SipParseError.InvalidStatusCode, start + sp + 1, $"Status-Code {code} is outside 100..699", buffer);
        }
        // RFC 4475 §3.1.1.13 "noreason": an empty Reason-Phrase (with or without its SP) is accepted.
        var reasonStart = start + sp + 1 + Math.Min(4, rest.Length);
        handler.OnStatusLine(code, reasonStart, start + line.Length - reasonStart);
    }

    private static void CheckVersion(ReadOnlySpan<byte> buffer, int offset, ReadOnlySpan<byte> version)
    {
        if (version.Length == 7 && System.Text.Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8))
        {
            return;
        }
        // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT: well formed but not 2.0 is a 505, anything else a 400.
        var wellFormed = version.Length > 6 && System.Text.Ascii.EqualsIgnoreCase(version[..4], "SIP/"u8);
        if (wellFormed)
        {
            var numbers = version[4..];
            var dot = numbers.IndexOf((byte)'.');
            wellFormed = dot > 0 && dot < numbers.Length - 1
                && !numbers[..dot].ContainsAnyExceptInRange((byte)'0', (byte)'9')
                && !numbers[(dot + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9');
        }
        SipParseException.Throw(wellFormed ? SipParseError.UnsupportedVersion : SipParseError.InvalidStartLine, offset,
            wellFormed ? "only SIP/2.0 is supported" : "SIP-Version is malformed", buffer);
    }

    /// <summary>scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 §3.1).</summary>
    private static bool HasScheme(ReadOnlySpan<byte> uri)
    {
        var colon = uri.IndexOf(SipSyntax.Colon);
        if (colon <= 0 || !char.IsAsciiLetter((char)uri[0]))
        {
            return false;
        }
        foreach (var c in uri[1..colon])
        {
            if (!char.IsAsciiLetterOrDigit((char)c) && c is not ((byte)'+' or (byte)'-' or (byte)'.'))
            {
                return false;
            }
        }
        return true;
    }

    private static void ParseHeaderLine<THandler>(ReadOnlySpan<byte> buffer, int start, int end, ref int contentLength, ref THandler handler)
        where THandler : struct, ISipMessageHandler
    {
        var line = buffer[start..end];
        var colon = line.IndexOf(SipSyntax.Colon);
        if (colon < 0)
        {
            SipParseException.Throw(SipParseError.InvalidHeader, start, "header line has no colon", buffer);
        }
        // HCOLON = *( SP / HTAB ) ":" SWS
        var nameEnd = colon;
        while (nameEnd > 0 && line[nameEnd - 1] is SipSyntax.SP or SipSyntax.HT)
        {
            nameEnd--;
        }
        var name = line[..nameEnd];
        if (!SipSyntax.IsToken(name))
        {
            SipParseException.Throw(SipParseError.InvalidHeader, start, name.IsEmpty ? "header name is empty" : "header name is not a token", buffer);
        }

        var valueStart = colon + 1;
        var valueEnd = line.Length;
        while (valueStart < valueEnd && line[valueStart] is SipSyntax.SP or SipSyntax.HT)
        {
            valueStart++;
        }
        while (valueEnd > valueStart && line[valueEnd - 1] is SipSyntax.SP or SipSyntax.HT)
        {
            valueEnd--;
        }

        var id = SipHeaderNames.Lookup(name);
        if (id == SipHeaderId.ContentLength)
        {
            var value = ParseContentLength(buffer, start + valueStart, line[valueStart..valueEnd]);
            if (contentLength >= 0 && contentLength != value)
            {
                SipParseException.Throw(SipParseError.InvalidContentLength, start, "two Content-Length headers disagree", buffer);
            }
            contentLength = value;
        }
        handler.OnHeader(id, start, nameEnd, start + valueStart, valueEnd - valueStart);
    }

    private static int ParseContentLength(ReadOnlySpan<byte> buffer, int offset, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.Length > 9 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            SipParseException.Throw(SipParseError.InvalidContentLength, offset,
                value.Length > 9 && !value.ContainsAnyExceptInRange((byte)'0', (byte)'9')
                    ? "Content-Length is absurdly large"
                    : "Content-Length is not a non-negative decimal integer", buffer);
        }
        var n = 0;
        foreach (var c in value)
        {
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
