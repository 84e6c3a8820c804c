using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace SipActors.Sip;

/// <summary>
/// The only exception the SIP parser throws: malformed input, with the reason, the byte offset
/// where the problem was found and a short escaped excerpt (never an Authorization value).
/// </summary>
public sealed class SipParseException : FormatException
{
    /// <summary>Longest excerpt kept, in input bytes: enough to recognise the line, short enough for a log line.</summary>
    public const int MaxExcerptBytes = 48;

    /// <summary>When false, excerpts are left out of exception messages (set once at start-up by a host that logs to untrusted sinks).</summary>
    public static bool IncludeExcerpts { get; set; } = true;

    public SipParseException(SipParseError reason, long offset, string detail, string? excerpt = null)
        : base(Format(reason, offset, detail, excerpt))
    {
        Reason = reason;
        Offset = offset;
        Detail = detail;
        Excerpt = excerpt;
    }

    /// <summary>What was wrong.</summary>
    public SipParseError Reason { get; }

    /// <summary>Byte offset from the start of the message (or header value, or URI) where the problem was found; -1 when unknown.</summary>
    public long Offset { get; }

    /// <summary>A short human explanation.</summary>
    public string Detail { get; }

    /// <summary>The escaped bytes around <see cref="Offset"/>, or null.</summary>
    public string? Excerpt { get; }

    /// <summary>The SIP status a server answers this error with (RFC 3261 §21.4, §21.5).</summary>
    public int StatusCode => Reason switch
    {
        SipParseError.MessageTooLarge or SipParseError.BodyTooLarge => 513,
        SipParseError.StartLineTooLong or SipParseError.InvalidRequestUri when Offset < 0 => 414,
        SipParseError.StartLineTooLong => 414,
        SipParseError.UnsupportedVersion => 505,
        SipParseError.InvalidUri => 416,
        _ => 400,
    };

    private static string Format(SipParseError reason, long offset, string detail, string? excerpt)
    {
        var sb = new StringBuilder(96);
        sb.Append(reason).Append(" at byte ").Append(offset).Append(": ").Append(detail);
        if (excerpt is not null && IncludeExcerpts)
        {
            sb.Append(" near \"").Append(excerpt).Append('"');
        }
        return sb.ToString();
    }

    /// <summary>Throws a <see cref="SipParseException"/>; kept out of line so callers stay small.</summary>
    [DoesNotReturn, StackTraceHidden]
    internal static void Throw(SipParseError reason, long offset, string detail)
        => throw Create(reason, offset, detail, default);

    /// <summary>Throws with an excerpt of <paramref name="input"/> around <paramref name="offset"/>.</summary>
    [DoesNotReturn, StackTraceHidden]
    internal static void Throw(SipParseError reason, long offset, string detail, ReadOnlySpan<byte> input)
        => throw Create(reason, offset, detail, input);

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static SipParseException Create(SipParseError reason, long offset, string detail, ReadOnlySpan<byte> input)
    {
        string? excerpt = null;
        if (!input.IsEmpty && IncludeExcerpts)
        {
            var start = (int)Math.Clamp(offset, 0, input.Length);
            excerpt = Escape(input.Slice(start, Math.Min(MaxExcerptBytes, input.Length - start)));
        }
        return new SipParseException(reason, offset, detail, excerpt);
    }

    /// <summary>Printable ASCII as is, everything else as \xNN; an Authorization credential is cut off.</summary>
    internal static string Escape(ReadOnlySpan<byte> bytes)
    {
        var credentials = IndexOfCredentials(bytes);
        if (credentials >= 0)
        {
            bytes = bytes[..credentials];
        }
        var sb = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'\\' && b != (byte)'"')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (credentials >= 0)
        {
            sb.Append("<credentials redacted>");
        }
        return sb.ToString();
    }

    private static int IndexOfCredentials(ReadOnlySpan<byte> bytes)
    {
        // Both "Authorization" and "Proxy-Authorization" end in this; cut right after the colon.
        var at = bytes.IndexOf("uthorization"u8);
        if (at < 0)
        {
            return -1;
        }
        var colon = bytes[at..].IndexOf((byte)':');
        return colon < 0 ? at : at + colon + 1;
    }
}
