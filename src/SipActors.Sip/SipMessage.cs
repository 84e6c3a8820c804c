using System.Buffers;
using System.Globalization;
using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Parsing;
using SipActors.Sip.Serialization;

namespace SipActors.Sip;

/// <summary>
/// A SIP request or response (RFC 3261 §7): start line, ordered header fields, body. Parsed
/// messages keep their bytes and read header values on demand; typed accessors throw
/// <see cref="SipParseException"/> when a present value breaks its header's grammar.
/// </summary>
public abstract class SipMessage : IEquatable<SipMessage>
{
    private protected SipMessage(SipHeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        Headers = headers;
        Body = body;
    }

    public SipHeaderCollection Headers { get; }

    /// <summary>The message body; Content-Length is written from its length.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    public abstract bool IsRequest { get; }

    /// <summary>Parses one message from a datagram (UDP semantics: without Content-Length the body is the rest of the datagram; bytes after Content-Length are ignored, RFC 3261 §18.3).</summary>
    public static SipMessage Parse(ReadOnlySpan<byte> datagram) => Parse(datagram, SipParserLimits.Default);

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static SipMessage Parse(ReadOnlySpan<byte> datagram, SipParserLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (datagram.Length > limits.MaxMessageBytes)
        {
            SipParseException.Throw(SipParseError.MessageTooLarge, limits.MaxMessageBytes,
                $"message of {datagram.Length} bytes exceeds the limit of {limits.MaxMessageBytes}");
        }
        return ParseOwned(datagram.ToArray(), isStream: false, limits);
    }

    /// <summary>
    /// As <see cref="Parse(ReadOnlySpan{byte}, SipParserLimits)"/>, into arrays rented from the shared
    /// pools: a receive loop's way, for messages most of which are read once during their delivery.
    /// Whoever read it that way says so (<see cref="ReadOnce"/>), and the loop gives the arrays back
    /// after the delivery (<see cref="ReturnToPool"/>); any other message keeps them, as garbage the
    /// pool never sees again.
    /// </summary>
    internal static SipMessage ParseRented(ReadOnlySpan<byte> datagram, SipParserLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (datagram.Length > limits.MaxMessageBytes)
        {
            SipParseException.Throw(SipParseError.MessageTooLarge, limits.MaxMessageBytes,
                $"message of {datagram.Length} bytes exceeds the limit of {limits.MaxMessageBytes}");
        }
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        try
        {
            return ParseOwned(buffer, datagram.Length, isStream: false, limits, rented: true);
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Set during the delivery of a message from <see cref="ParseRented"/> by the one reader that
    /// took all it needed from it then (a registration reading its REGISTER's answer keeps strings
    /// and numbers, never the message): its arrays may go back to the pools once delivered.
    /// </summary>
    internal bool ReadOnce { get; set; }

    /// <summary>Gives the rented arrays back; the message is empty afterwards. Only for a <see cref="ReadOnce"/> message nothing else holds.</summary>
    internal void ReturnToPool()
    {
        Body = default;
        Headers.ReturnToPool();
    }

    /// <summary>Parses a message whose bytes the caller hands over (no copy); the buffer is modified in place where lines are folded.</summary>
    internal static SipMessage ParseOwned(byte[] buffer, bool isStream, SipParserLimits limits) => ParseOwned(buffer, buffer.Length, isStream, limits, rented: false);

    private static SipMessage ParseOwned(byte[] buffer, int length, bool isStream, SipParserLimits limits, bool rented)
    {
        var headers = rented ? SipHeaderCollection.RentForParse(buffer, length) : new SipHeaderCollection(buffer, length);
        var builder = new MessageHeadBuilder(headers);
        var head = SipParser.ParseHead(buffer.AsSpan(0, length), limits, ref builder);

        var available = length - head.BodyStart;
        int bodyLength;
        if (head.ContentLength < 0)
        {
            bodyLength = isStream ? 0 : available;
        }
        else
        {
            if (head.ContentLength > limits.MaxBodyBytes)
            {
                SipParseException.Throw(SipParseError.BodyTooLarge, head.BodyStart, $"Content-Length {head.ContentLength} exceeds the limit of {limits.MaxBodyBytes}");
            }
            if (head.ContentLength > available)
            {
                SipParseException.Throw(SipParseError.InvalidContentLength, head.BodyStart,
                    $"Content-Length is {head.ContentLength} but only {available} body bytes follow");
            }
            bodyLength = head.ContentLength;
        }
        var body = new ReadOnlyMemory<byte>(buffer, head.BodyStart, bodyLength);
        return builder.IsRequest
            ? new SipRequest(builder.Method, builder.MethodName!, new ReadOnlyMemory<byte>(buffer, builder.UriStart, builder.UriLength), headers, body)
            : new SipResponse(builder.StatusCode, new ReadOnlyMemory<byte>(buffer, builder.ReasonStart, builder.ReasonLength), headers, body);
    }

    // ---- typed accessors -------------------------------------------------------------

    public string? CallId => Headers.GetFirst(SipHeaderId.CallId);

    public SipCSeq? CSeq => Headers.TryGetValue(SipHeaderId.CSeq, out var v) ? SipCSeq.Parse(v) : null;

    public SipNameAddress? From => Headers.TryGetValue(SipHeaderId.From, out var v) ? SipNameAddress.Parse(v) : null;

    public SipNameAddress? To => Headers.TryGetValue(SipHeaderId.To, out var v) ? SipNameAddress.Parse(v) : null;

    /// <summary>Every Via value, top first.</summary>
    public IReadOnlyList<SipVia> Vias => ReadList(SipHeaderId.Via, static v => SipVia.Parse(v));

    /// <summary>The topmost Via, or null.</summary>
    public SipVia? TopVia
    {
        get
        {
            foreach (var v in Headers.EnumerateValues(SipHeaderId.Via))
            {
                return SipVia.Parse(v);
            }
            return null;
        }
    }

    /// <summary>Every Contact value (the wildcard comes back as <see cref="SipNameAddress.Wildcard"/>).</summary>
    public IReadOnlyList<SipNameAddress> Contacts => ReadList(SipHeaderId.Contact, static v => SipNameAddress.Parse(v));

    public bool IsWildcardContact
    {
        get
        {
            foreach (var v in Headers.EnumerateValues(SipHeaderId.Contact))
            {
                if (v.Length == 1 && v[0] == (byte)'*')
                {
                    return true;
                }
            }
            return false;
        }
    }

    public IReadOnlyList<SipNameAddress> Routes => ReadList(SipHeaderId.Route, static v => SipNameAddress.Parse(v));
    public IReadOnlyList<SipNameAddress> RecordRoutes => ReadList(SipHeaderId.RecordRoute, static v => SipNameAddress.Parse(v));
    public IReadOnlyList<SipNameAddress> ServiceRoutes => ReadList(SipHeaderId.ServiceRoute, static v => SipNameAddress.Parse(v));
    public IReadOnlyList<SipNameAddress> Paths => ReadList(SipHeaderId.Path, static v => SipNameAddress.Parse(v));

    /// <summary>Expires in seconds (values beyond int range are clamped, as RFC 3261 §20.19 tolerates), or null.</summary>
    public int? Expires => ReadDeltaSeconds(SipHeaderId.Expires);
    public int? MinExpires => ReadDeltaSeconds(SipHeaderId.MinExpires);
    public int? MaxForwards => ReadDeltaSeconds(SipHeaderId.MaxForwards);
    public int? ContentLength => ReadDeltaSeconds(SipHeaderId.ContentLength);

    public string? ContentType => Headers.GetFirst(SipHeaderId.ContentType);
    public string? UserAgent => Headers.GetFirst(SipHeaderId.UserAgent);
    public IReadOnlyList<string> Allow => Headers.GetValues(SipHeaderId.Allow);
    public IReadOnlyList<string> Supported => Headers.GetValues(SipHeaderId.Supported);
    public IReadOnlyList<string> WwwAuthenticate => Headers.GetValues(SipHeaderId.WwwAuthenticate);
    public IReadOnlyList<string> ProxyAuthenticate => Headers.GetValues(SipHeaderId.ProxyAuthenticate);
    public SipEventHeader? Event => Headers.TryGetValue(SipHeaderId.Event, out var v) ? SipEventHeader.Parse(v) : null;
    public SipRetryAfter? RetryAfter => Headers.TryGetValue(SipHeaderId.RetryAfter, out var v) ? SipRetryAfter.Parse(v) : null;

    private IReadOnlyList<T> ReadList<T>(SipHeaderId id, SpanParser<T> parse)
    {
        List<T>? list = null;
        foreach (var v in Headers.EnumerateValues(id))
        {
            (list ??= []).Add(parse(v));
        }
        return list ?? (IReadOnlyList<T>)[];
    }

    private delegate T SpanParser<T>(ReadOnlySpan<byte> value);

    private int? ReadDeltaSeconds(SipHeaderId id)
    {
        if (!Headers.TryGetValue(id, out var v))
        {
            return null;
        }
        if (v.IsEmpty || v.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, $"{SipHeaderNames.GetName(id)} is not a decimal integer", v);
        }
        return long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= int.MaxValue ? (int)n : int.MaxValue;
    }

    // ---- validation --------------------------------------------------------------------

    private static readonly SipHeaderId[] SingleValued =
    [
        SipHeaderId.To, SipHeaderId.From, SipHeaderId.CallId, SipHeaderId.CSeq, SipHeaderId.MaxForwards,
        SipHeaderId.ContentLength, SipHeaderId.ContentType, SipHeaderId.Expires, SipHeaderId.MinExpires,
    ];

    /// <summary>
    /// The semantic checks of RFC 3261 §8.1.1 and §20 that a receiver applies after parsing: the
    /// mandatory headers are present and readable, single-valued headers appear once, the CSeq
    /// method matches the request's. Throws <see cref="SipParseException"/> naming the problem.
    /// </summary>
    public void Validate()
    {
        foreach (var id in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.To, SipHeaderId.From, SipHeaderId.CSeq, SipHeaderId.CallId, SipHeaderId.Via])
        {
            if (!Headers.Contains(id))
            {
                SipParseException.Throw(SipParseError.InvalidHeader, -1, $"mandatory header {SipHeaderNames.GetName(id)} is missing");
            }
        }
        foreach (var id in SingleValued)
        {
            var lines = Headers.CountLines(id);
            var values = 0;
            foreach (var _ in Headers.EnumerateValues(id))
            {
                values++;
            }
            if (lines > 1 || values > 1)
            {
                SipParseException.Throw(SipParseError.InvalidHeader, -1, $"{SipHeaderNames.GetName(id)} must appear once");
            }
        }
        if (string.IsNullOrWhiteSpace(CallId))
        {
            SipParseException.Throw(SipParseError.InvalidHeaderValue, -1, "Call-ID is empty");
        }
        _ = From!.Uri;
        _ = To!.Uri;
        if (Vias.Count == 0)
        {
            SipParseException.Throw(SipParseError.InvalidHeaderValue, -1, "Via is empty");
        }
        _ = Contacts;
        _ = Routes;
        _ = RecordRoutes;
        var cseq = CSeq!.Value;
        _ = Expires;
        _ = ContentLength;
        if (MaxForwards is > 255)
        {
            SipParseException.Throw(SipParseError.InvalidHeaderValue, -1, "Max-Forwards is above 255");
        }
        if (ContentType is { } type && !IsMediaType(type))
        {
            SipParseException.Throw(SipParseError.InvalidHeaderValue, -1, "Content-Type is not type/subtype");
        }
        ValidateStartLine(cseq);
    }

    private protected abstract void ValidateStartLine(SipCSeq cseq);

    private static bool IsMediaType(string value)
    {
        var semi = value.IndexOf(';');
        var type = (semi < 0 ? value : value[..semi]).Trim();
        var slash = type.IndexOf('/');
        if (slash <= 0 || slash == type.Length - 1)
        {
            return false;
        }
        foreach (var c in type)
        {
            if (c != '/' && (c > 0x7F || !SipSyntax.Token.Contains((byte)c)))
            {
                return false;
            }
        }
        return true;
    }

    // ---- serialization -----------------------------------------------------------------

    /// <summary>The exact number of bytes <see cref="WriteTo(Span{byte})"/> writes.</summary>
    public int GetByteCount() => SipMessageWriter.GetByteCount(this);

    /// <summary>Writes the wire form into <paramref name="destination"/> (at least <see cref="GetByteCount"/> bytes); returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination) => SipMessageWriter.Write(this, destination);

    /// <summary>Writes the wire form into a buffer writer (e.g. a pooled one), in one span.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var count = GetByteCount();
        var written = WriteTo(writer.GetSpan(count));
        writer.Advance(written);
    }

    /// <summary>The wire form in a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[GetByteCount()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The wire form as text for logs, with Authorization and Proxy-Authorization values redacted.</summary>
    public override string ToString() => SipMessageWriter.ToLogString(this);

    internal abstract int GetStartLineByteCount();

    internal abstract int WriteStartLine(Span<byte> destination);

    // ---- equality ----------------------------------------------------------------------

    /// <summary>Same start line, same header lines in the same order (Content-Length aside: it follows from the body), same body.</summary>
    public bool Equals(SipMessage? other)
        => other is not null && (ReferenceEquals(this, other)
            || (StartLineEquals(other) && Headers.ContentEquals(other.Headers) && Body.Span.SequenceEqual(other.Body.Span)));

    public override bool Equals(object? obj) => Equals(obj as SipMessage);

    public override int GetHashCode() => HashCode.Combine(IsRequest, Headers.Count - Headers.CountLines(SipHeaderId.ContentLength), Body.Length);

    private protected abstract bool StartLineEquals(SipMessage other);

    private protected static string Utf8(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
