using System.Buffers;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// Character classes and whitespace rules of the auth-param grammar (RFC 3261 §25.1, RFC 7616 §3.3),
/// shared by the parser, the header writer and the argument checks.
/// </summary>
internal static class DigestSyntax
{
    /// <summary>RFC 3261 token: alphanum and <c>-.!%*_+`'~</c>.</summary>
    public static readonly SearchValues<char> TokenChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~");

    /// <summary>Control characters (CTL) including DEL. HTAB is a CTL too; callers that allow it say so.</summary>
    public static readonly SearchValues<char> ControlChars = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    /// <summary>What ends the plain run of a quoted string: the closing quote, an escape, or any CTL (HTAB included, checked apart).</summary>
    public static readonly SearchValues<char> QuotedStops = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    /// <summary>What ends an unquoted value. Servers put base64 nonces ('/', '=', '+') unquoted, so this is wider than a token.</summary>
    public static readonly SearchValues<char> TokenValueStops = SearchValues.Create(
        " \",\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    private const int ExcerptLength = 24;

    public static bool IsWhitespace(char c) => c is ' ' or '\t';

    /// <summary>
    /// Skips linear whitespace: SP, HTAB and folded line breaks (CRLF, or a bare LF, followed by SP/HTAB,
    /// RFC 3261 §7.3.1). A line break at the very end is skipped too, for values handed over with their line end.
    /// </summary>
    public static int SkipLinearWhitespace(ReadOnlySpan<char> text, int index)
    {
        while ((uint)index < (uint)text.Length)
        {
            var c = text[index];
            if (IsWhitespace(c))
            {
                index++;
                continue;
            }
            var lineBreak = LineBreakLength(text, index);
            if (lineBreak == 0)
            {
                break;
            }
            var after = index + lineBreak;
            if (after == text.Length || IsWhitespace(text[after]))
            {
                index = after;
                continue;
            }
            break;
        }
        return index;
    }

    /// <summary>True when linear whitespace starts at <paramref name="index"/>.</summary>
    public static bool StartsWithLinearWhitespace(ReadOnlySpan<char> text, int index)
        => (uint)index < (uint)text.Length && SkipLinearWhitespace(text, index) > index;

    /// <summary>2 for CRLF, 1 for a bare LF, 0 otherwise.</summary>
    public static int LineBreakLength(ReadOnlySpan<char> text, int index)
    {
        if (text[index] == '\n')
        {
            return 1;
        }
        return text[index] == '\r' && index + 1 < text.Length && text[index + 1] == '\n' ? 2 : 0;
    }

    /// <summary>
    /// A short, printable piece of untrusted input for an error message: at most 24 characters,
    /// control characters as <c>\xNN</c>, so a hostile value cannot forge log lines.
    /// </summary>
    public static string Excerpt(ReadOnlySpan<char> text)
    {
        var cut = text.Length > ExcerptLength ? text[..ExcerptLength] : text;
        if (!cut.ContainsAny(ControlChars))
        {
            return text.Length > ExcerptLength ? string.Concat(cut, "...") : cut.ToString();
        }
        var sb = new StringBuilder(cut.Length * 2);
        foreach (var c in cut)
        {
            if (c < ' ' || c == '\u007F')
            {
                sb.Append("\\x").Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }
        if (text.Length > ExcerptLength)
        {
            sb.Append("...");
        }
        return sb.ToString();
    }
}
