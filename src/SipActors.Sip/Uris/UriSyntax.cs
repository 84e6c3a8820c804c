using System.Buffers;
using System.Text;

namespace SipActors.Sip.Uris;

/// <summary>Character sets, escaping and errors shared by the URI types (RFC 3261 §25.1, RFC 3986 §2).</summary>
internal static class UriSyntax
{
    private const string Alphanum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Unreserved = Alphanum + "-_.!~*'()";

    public static readonly SearchValues<char> User = SearchValues.Create(Unreserved + "&=+$,;?/");
    public static readonly SearchValues<char> Password = SearchValues.Create(Unreserved + "&=+$,");
    public static readonly SearchValues<char> Param = SearchValues.Create(Unreserved + "[]/:&+$");
    public static readonly SearchValues<char> Header = SearchValues.Create(Unreserved + "[]/?:+$");
    public static readonly SearchValues<char> HostName = SearchValues.Create(Alphanum + "-._");
    public static readonly SearchValues<char> Forbidden = SearchValues.Create(" \t\r\n<>\"\0");

    /// <summary>Length of a leading RFC 3986 scheme before its ':', or -1.</summary>
    public static int SchemeLength(ReadOnlySpan<char> text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0 || !char.IsAsciiLetter(text[0]))
        {
            return -1;
        }
        foreach (var c in text[1..colon])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return -1;
            }
        }
        return colon;
    }

    public static SipParseException Error(int offset, string detail)
        => new(SipParseError.InvalidUri, offset, detail);

    /// <summary>Decodes %HH escapes (as UTF-8) after checking every character is allowed in the component.</summary>
    public static string Unescape(ReadOnlySpan<char> text, SearchValues<char> allowed, int offset, string component)
    {
        var bad = text.IndexOfAnyExcept(allowed);
        if (bad < 0)
        {
            return text.ToString();
        }
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    throw Error(offset + i, $"invalid escape in the {component}");
                }
                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c < 0x80 && allowed.Contains(c))
            {
                bytes[n++] = (byte)c;
            }
            else if (c >= 0x80 && !char.IsControl(c))
            {
                // Non-ASCII text is not in the grammar but is harmless; carry it as UTF-8.
                n += Encoding.UTF8.GetBytes(text.Slice(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1), bytes.AsSpan(n));
                if (char.IsHighSurrogate(c))
                {
                    i++;
                }
            }
            else
            {
                throw Error(offset + i, $"character 0x{(int)c:X2} is not allowed in the {component}");
            }
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Appends <paramref name="value"/>, escaping (UTF-8, upper-case hex) whatever the component does not allow.</summary>
    public static void AppendEscaped(StringBuilder sb, string value, SearchValues<char> allowed)
    {
        if (!value.AsSpan().ContainsAnyExcept(allowed))
        {
            sb.Append(value);
            return;
        }
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80 && allowed.Contains(c))
            {
                sb.Append(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
            var n = Encoding.UTF8.GetBytes(value.AsSpan(i, length), utf8);
            i += length - 1;
            foreach (var b in utf8[..n])
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
