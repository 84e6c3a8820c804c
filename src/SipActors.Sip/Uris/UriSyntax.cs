using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace SipActors.Sip.Uris;

/// <summary>
/// Character sets of RFC 3261 §25.1 (and RFC 3966, RFC 3986 where noted), %HH escaping in both
/// directions, and the construction of <see cref="SipParseException"/> for URIs.
/// </summary>
internal static class UriSyntax
{
    private const string Alphanum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Unreserved = Alphanum + "-_.!~*'()";
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>Longest component decoded on the stack; longer ones use pooled buffers.</summary>
    private const int StackLimit = 256;

    /// <summary>user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = &amp; = + $ , ; ? /</summary>
    public static readonly SearchValues<char> UserChars = SearchValues.Create(Unreserved + "&=+$,;?/");

    /// <summary>password = *( unreserved / escaped / &amp; = + $ , )</summary>
    public static readonly SearchValues<char> PasswordChars = SearchValues.Create(Unreserved + "&=+$,");

    /// <summary>paramchar = param-unreserved / unreserved / escaped, param-unreserved = [ ] / : &amp; + $ (RFC 3261 and RFC 3966 alike).</summary>
    public static readonly SearchValues<char> ParamChars = SearchValues.Create(Unreserved + "[]/:&+$");

    /// <summary>hname / hvalue = hnv-unreserved / unreserved / escaped, hnv-unreserved = [ ] / ? : + $</summary>
    public static readonly SearchValues<char> HeaderChars = SearchValues.Create(Unreserved + "[]/?:+$");

    /// <summary>
    /// tel parameter values: paramchar plus the rest of RFC 3966 uric (isub = 1*uric), except ';',
    /// which always separates parameters.
    /// </summary>
    public static readonly SearchValues<char> TelValueChars = SearchValues.Create(Unreserved + "[]/:&+$?@=,");

    /// <summary>tel pname = 1*( alphanum / "-" ) (RFC 3966 §3).</summary>
    public static readonly SearchValues<char> TelNameChars = SearchValues.Create(Alphanum + "-");

    /// <summary>What an opaque absolute URI may hold besides escapes: RFC 3986 unreserved, gen-delims and sub-delims.</summary>
    public static readonly SearchValues<char> OpaqueChars = SearchValues.Create(Alphanum + "-._~:/?#[]@!$&'()*+,;=");

    // ContainsAnyInRange('A', 'Z') allocates on every call in .NET 10; a SearchValues lookup does not.
    private static readonly SearchValues<char> Uppercase = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).</summary>
    public static readonly SearchValues<char> SchemeChars = SearchValues.Create(Alphanum + "+-.");

    /// <summary>Length of the leading scheme (the index of its ':'), or a failure.</summary>
    public static int SchemeLength(ReadOnlySpan<char> text, out UriFailure failure)
    {
        var end = text.IndexOfAnyExcept(SchemeChars);
        if (text.IsEmpty || !char.IsAsciiLetter(text[0]))
        {
            failure = new(0, "the URI does not start with a scheme (a letter, then letters, digits, '+', '-' or '.', then ':')");
            return -1;
        }
        if (end < 0 || text[end] != ':')
        {
            failure = new(end < 0 ? text.Length : end, "the scheme is not followed by ':'");
            return -1;
        }
        failure = default;
        return end;
    }

    /// <summary>
    /// Checks that <paramref name="text"/> holds only <paramref name="allowed"/> characters and valid
    /// %HH escapes, and decodes it. The escaped bytes are read as UTF-8; a byte that is not part of a
    /// valid UTF-8 sequence becomes the lone surrogate U+DC00 + byte, so any escaped octet the grammar
    /// allows survives a round trip (formatting turns such a surrogate back into that byte).
    /// </summary>
    /// <returns>-1 on success, else the index of the offending character (a '%' for a bad escape).</returns>
    public static int Unescape(ReadOnlySpan<char> text, SearchValues<char> allowed, out string value)
    {
        var first = text.IndexOfAnyExcept(allowed);
        if (first < 0)
        {
            value = Intern(text);
            return -1;
        }
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    value = string.Empty;
                    return i;
                }
                i += 2;
            }
            else if (c >= 0x80 || !allowed.Contains(c))
            {
                value = string.Empty;
                return i;
            }
        }

        byte[]? rented = null;
        var bytes = text.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(text.Length));
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else
            {
                bytes[n++] = (byte)text[i];
            }
        }
        value = DecodeUtf8(bytes[..n]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return -1;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        char[]? rented = null;
        // UTF-8 never needs more UTF-16 units than bytes, and an escaped byte takes one unit.
        var chars = bytes.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        var written = 0;
        while (!bytes.IsEmpty)
        {
            var status = Utf8.ToUtf16(bytes, chars[written..], out var read, out var count, replaceInvalidSequences: false);
            written += count;
            bytes = bytes[read..];
            if (status == OperationStatus.Done)
            {
                break;
            }
            chars[written++] = (char)(0xDC00 | bytes[0]);
            bytes = bytes[1..];
        }
        var result = new string(chars[..written]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
        return result;
    }

    /// <summary>Length of <paramref name="value"/> once every character outside <paramref name="allowed"/> is %HH-escaped.</summary>
    public static int EscapedLength(string value, SearchValues<char> allowed)
    {
        var first = value.AsSpan().IndexOfAnyExcept(allowed);
        if (first < 0)
        {
            return value.Length;
        }
        Span<byte> utf8 = stackalloc byte[4];
        var length = first;
        for (var i = first; i < value.Length; i++)
        {
            length += value[i] < 0x80 && allowed.Contains(value[i]) ? 1 : 3 * EncodeScalar(value, ref i, utf8);
        }
        return length;
    }

    /// <summary>Writes <paramref name="value"/> escaped as <see cref="EscapedLength"/> measured it (upper-case hex, UTF-8).</summary>
    public static int WriteEscaped(Span<char> destination, string value, SearchValues<char> allowed)
    {
        var first = value.AsSpan().IndexOfAnyExcept(allowed);
        if (first < 0)
        {
            value.CopyTo(destination);
            return value.Length;
        }
        value.AsSpan(0, first).CopyTo(destination);
        Span<byte> utf8 = stackalloc byte[4];
        var at = first;
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80 && allowed.Contains(c))
            {
                destination[at++] = c;
                continue;
            }
            var n = EncodeScalar(value, ref i, utf8);
            foreach (var b in utf8[..n])
            {
                destination[at++] = '%';
                destination[at++] = HexDigits[b >> 4];
                destination[at++] = HexDigits[b & 0xF];
            }
        }
        return at;
    }

    /// <summary>UTF-8 of the character at <paramref name="i"/> (a pair advances it); the lone surrogates made by <see cref="Unescape"/> give back their byte.</summary>
    private static int EncodeScalar(string value, ref int i, Span<byte> utf8)
    {
        var c = value[i];
        if (c is >= '\uDC80' and <= '\uDCFF')
        {
            utf8[0] = (byte)c;
            return 1;
        }
        Rune rune;
        if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
        {
            rune = new Rune(c, value[i + 1]);
            i++;
        }
        else
        {
            rune = char.IsSurrogate(c) ? Rune.ReplacementChar : new Rune(c);
        }
        return rune.EncodeToUtf8(utf8);
    }

    /// <summary>The detail for a character <see cref="Unescape"/> or a component check rejected.</summary>
    public static string Problem(ReadOnlySpan<char> text, int index, string component)
    {
        if (text[index] == '%')
        {
            var escape = text.Slice(index, Math.Min(3, text.Length - index));
            return $"invalid escape '{EscapeForMessage(escape)}' in the {component}";
        }
        return $"{Describe(text[index])} is not allowed in the {component}";
    }

    /// <summary>Like <see cref="Problem"/>, but quoting nothing: for the password.</summary>
    public static string SecretProblem(ReadOnlySpan<char> text, int index, string component)
        => text[index] == '%'
            ? $"invalid escape in the {component}"
            : $"the {component} has a character outside RFC 3261 §25.1";

    /// <summary>Names a character for an error detail; whitespace and control characters are named, not printed.</summary>
    public static string Describe(char c) => c switch
    {
        ' ' or '\t' or '\r' or '\n' => "whitespace",
        < ' ' or '\x7f' => $"control character 0x{(int)c:X2}",
        > '\x7f' => $"non-ASCII character U+{(int)c:X4}",
        _ => $"character '{c}'",
    };

    /// <summary>Builds the exception for <paramref name="failure"/>, with an excerpt that never reaches into a password.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static SipParseException CreateException(ReadOnlySpan<char> text, UriFailure failure)
    {
        string? excerpt = null;
        if (SipParseException.IncludeExcerpts)
        {
            var start = Math.Clamp(failure.Offset, 0, text.Length);
            var end = Math.Min(text.Length, start + SipParseException.MaxExcerptBytes);
            var (secretStart, secretEnd) = FindPassword(text);
            if (start >= secretStart && start < secretEnd)
            {
                end = start;
            }
            else if (start < secretStart && end > secretStart)
            {
                end = secretStart;
            }
            excerpt = end > start ? EscapeForMessage(text[start..end]) : null;
        }
        return new SipParseException(SipParseError.InvalidUri, failure.Offset, failure.Detail, excerpt);
    }

    /// <summary>
    /// Where a password may sit: from the ':' after the userinfo's first part to the last '@'. Using
    /// the last '@' errs towards hiding too much when a malformed URI has several.
    /// </summary>
    private static (int Start, int End) FindPassword(ReadOnlySpan<char> text)
    {
        var schemeColon = text.IndexOf(':');
        var at = text.LastIndexOf('@');
        if (schemeColon < 0 || at <= schemeColon)
        {
            return (int.MaxValue, int.MaxValue);
        }
        var colon = text[(schemeColon + 1)..at].IndexOf(':');
        return colon < 0 ? (int.MaxValue, int.MaxValue) : (schemeColon + colon + 2, at);
    }

    /// <summary>Printable ASCII as is, everything else as \xNN or \uNNNN.</summary>
    private static string EscapeForMessage(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is >= ' ' and < '\x7f' && c != '\\' && c != '"')
            {
                sb.Append(c);
            }
            else if (c <= '\xff')
            {
                sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>Shares the strings of the parameter names and values seen in nearly every URI instead of allocating them again.</summary>
    public static string Intern(ReadOnlySpan<char> text) => text switch
    {
        "lr" => "lr",
        "transport" => "transport",
        "user" => "user",
        "maddr" => "maddr",
        "ttl" => "ttl",
        "method" => "method",
        "ob" => "ob",
        "udp" => "udp",
        "tcp" => "tcp",
        "tls" => "tls",
        "ws" => "ws",
        "wss" => "wss",
        "UDP" => "UDP",
        "TCP" => "TCP",
        "TLS" => "TLS",
        "WS" => "WS",
        "WSS" => "WSS",
        "phone" => "phone",
        "ip" => "ip",
        "phone-context" => "phone-context",
        _ => new string(text),
    };

    /// <summary>ASCII-lower-cases <paramref name="text"/> into a new string (hosts and schemes are ASCII by then).</summary>
    public static string ToLower(ReadOnlySpan<char> text)
    {
        if (!text.ContainsAny(Uppercase))
        {
            return new string(text);
        }
        var buffer = text.Length <= StackLimit ? stackalloc char[StackLimit] : new char[text.Length];
        var lower = buffer[..text.Length];
        text.ToLowerInvariant(lower);
        return new string(lower);
    }

    public static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Index of the first parameter named <paramref name="name"/> (case-insensitive), or -1; shared by sip: and tel: URIs.</summary>
    public static int IndexOfParameter(KeyValuePair<string, string?>[] parameters, string name)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (string.Equals(parameters[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }
}
