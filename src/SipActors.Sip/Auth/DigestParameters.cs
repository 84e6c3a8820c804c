using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// Reads the <c>Digest name=token, name="quoted"</c> list shared by challenges and credentials
/// (RFC 7616 §3.3/§3.4, RFC 3261 §25.1 auth-param). Never throws: a malformed value gives false
/// and an error naming the problem, with any quoted input escaped and cut short.
/// </summary>
internal static class DigestParameters
{
    /// <summary>
    /// Longest value read. Real challenges are a few hundred characters; the cap keeps a hostile
    /// peer from making us copy megabytes, while staying far above any server seen in practice.
    /// </summary>
    public const int MaxLength = 8192;

    public static bool TryParse(string? headerValue, [NotNullWhen(true)] out Dictionary<string, string>? parameters, [NotNullWhen(false)] out string? error)
    {
        parameters = null;
        if (string.IsNullOrEmpty(headerValue))
        {
            error = "the value is empty";
            return false;
        }
        if (headerValue.Length > MaxLength)
        {
            error = $"the value is longer than {MaxLength} characters";
            return false;
        }
        var text = headerValue.AsSpan();
        var i = DigestSyntax.SkipLinearWhitespace(text, 0);
        if (i == text.Length)
        {
            error = "the value is empty";
            return false;
        }
        var schemeEnd = EndOfToken(text, i);
        if (schemeEnd == i)
        {
            error = $"expected an authentication scheme at '{DigestSyntax.Excerpt(text[i..])}'";
            return false;
        }
        var scheme = text[i..schemeEnd];
        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            error = $"the scheme '{DigestSyntax.Excerpt(scheme)}' is not Digest";
            return false;
        }
        i = schemeEnd;
        if (i < text.Length && !DigestSyntax.StartsWithLinearWhitespace(text, i))
        {
            error = $"expected whitespace after the scheme, found '{DigestSyntax.Excerpt(text[i..])}'";
            return false;
        }

        var result = new Dictionary<string, string>(8, StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            // Empty list elements (",,") are allowed by the #rule (RFC 7230 §7).
            i = DigestSyntax.SkipLinearWhitespace(text, i);
            while (i < text.Length && text[i] == ',')
            {
                i = DigestSyntax.SkipLinearWhitespace(text, i + 1);
            }
            if (i == text.Length)
            {
                break;
            }

            var nameEnd = EndOfToken(text, i);
            if (nameEnd == i)
            {
                error = $"expected a parameter name at '{DigestSyntax.Excerpt(text[i..])}'";
                return false;
            }
            var name = text[i..nameEnd];
            i = DigestSyntax.SkipLinearWhitespace(text, nameEnd);
            if (i == text.Length || text[i] != '=')
            {
                error = $"parameter '{DigestSyntax.Excerpt(name)}' has no value";
                return false;
            }
            i = DigestSyntax.SkipLinearWhitespace(text, i + 1);

            string value;
            if (i < text.Length && text[i] == '"')
            {
                if (!TryReadQuoted(text, ref i, name, out value, out error))
                {
                    return false;
                }
            }
            else
            {
                var run = text[i..].IndexOfAny(DigestSyntax.TokenValueStops);
                var valueEnd = run < 0 ? text.Length : i + run;
                if (valueEnd == i)
                {
                    error = $"parameter '{DigestSyntax.Excerpt(name)}' has an empty or invalid value";
                    return false;
                }
                value = text[i..valueEnd].ToString();
                i = valueEnd;
            }

            i = DigestSyntax.SkipLinearWhitespace(text, i);
            if (i < text.Length && text[i] != ',')
            {
                error = $"unexpected '{DigestSyntax.Excerpt(text[i..])}' after the value of '{DigestSyntax.Excerpt(name)}' (a comma was expected)";
                return false;
            }
            if (!result.TryAdd(name.ToString(), value))
            {
                error = $"parameter '{DigestSyntax.Excerpt(name)}' appears more than once";
                return false;
            }
        }
        parameters = result;
        error = null;
        return true;
    }

    private static int EndOfToken(ReadOnlySpan<char> text, int start)
    {
        var run = text[start..].IndexOfAnyExcept(DigestSyntax.TokenChars);
        return run < 0 ? text.Length : start + run;
    }

    /// <summary>
    /// Reads a quoted-string starting at the opening quote; on success <paramref name="i"/> is just past the closing quote.
    /// Backslash escapes any character but a CTL; a folded line break inside counts as one space (RFC 3261 §7.3.1).
    /// </summary>
    private static bool TryReadQuoted(ReadOnlySpan<char> text, ref int i, ReadOnlySpan<char> name, out string value, [NotNullWhen(false)] out string? error)
    {
        var start = i + 1;
        var run = text[start..].IndexOfAny(DigestSyntax.QuotedStops);
        if (run >= 0 && text[start + run] == '"')
        {
            // Nearly every value has no escapes: slice it without a builder.
            value = text.Slice(start, run).ToString();
            i = start + run + 1;
            error = null;
            return true;
        }

        var sb = new StringBuilder(text.Length - start);
        var at = start;
        while (true)
        {
            if (at >= text.Length)
            {
                value = "";
                error = $"the quoted value of '{DigestSyntax.Excerpt(name)}' is not terminated";
                return false;
            }
            var c = text[at];
            if (c == '"')
            {
                break;
            }
            if (c == '\\')
            {
                if (at + 1 >= text.Length)
                {
                    value = "";
                    error = $"the quoted value of '{DigestSyntax.Excerpt(name)}' is not terminated";
                    return false;
                }
                var escaped = text[at + 1];
                if (DigestSyntax.ControlChars.Contains(escaped) && escaped != '\t')
                {
                    value = "";
                    error = $"the quoted value of '{DigestSyntax.Excerpt(name)}' escapes a control character";
                    return false;
                }
                sb.Append(escaped);
                at += 2;
                continue;
            }
            if (c is '\r' or '\n')
            {
                var lineBreak = DigestSyntax.LineBreakLength(text, at);
                if (lineBreak == 0 || at + lineBreak >= text.Length || !DigestSyntax.IsWhitespace(text[at + lineBreak]))
                {
                    value = "";
                    error = $"the quoted value of '{DigestSyntax.Excerpt(name)}' contains a line break";
                    return false;
                }
                sb.Append(' ');
                at += lineBreak;
                while (at < text.Length && DigestSyntax.IsWhitespace(text[at]))
                {
                    at++;
                }
                continue;
            }
            if (c != '\t' && DigestSyntax.ControlChars.Contains(c))
            {
                value = "";
                error = $"the quoted value of '{DigestSyntax.Excerpt(name)}' contains a control character";
                return false;
            }
            sb.Append(c);
            at++;
        }
        value = sb.ToString();
        i = at + 1;
        error = null;
        return true;
    }
}
