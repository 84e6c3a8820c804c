using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// Walks a <c>Digest name=token, name="quoted"</c> list (RFC 7616 §3.3/§3.4, RFC 3261 §25.1
/// auth-param) one parameter at a time, as spans of the text: whoever reads it keeps the values it
/// needs and allocates nothing for the rest (no dictionary, no name strings). Only a quoted value
/// with escapes or a folded line is copied, into a string the value span then points at.
/// Errors name the problem, with any quoted input escaped and cut short.
/// </summary>
internal ref struct DigestParameterReader
{
    private readonly ReadOnlySpan<char> _text;
    private int _i;

    private DigestParameterReader(ReadOnlySpan<char> text, int start)
    {
        _text = text;
        _i = start;
    }

    /// <summary>Checks the length and the Digest scheme; on success the reader stands before the first parameter.</summary>
    public static bool TryStart(ReadOnlySpan<char> headerValue, out DigestParameterReader reader, [NotNullWhen(false)] out string? error)
    {
        reader = default;
        if (headerValue.IsEmpty)
        {
            error = "the value is empty";
            return false;
        }
        if (headerValue.Length > DigestParameters.MaxLength)
        {
            error = $"the value is longer than {DigestParameters.MaxLength} characters";
            return false;
        }
        var text = headerValue;
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
        reader = new DigestParameterReader(text, i);
        error = null;
        return true;
    }

    /// <summary>
    /// The next parameter: true with its name and value, or false at the end (<paramref name="error"/>
    /// null) or at a malformed one (<paramref name="error"/> says why).
    /// </summary>
    public bool TryNext(out ReadOnlySpan<char> name, out ReadOnlySpan<char> value, out string? error)
    {
        var text = _text;
        var i = _i;
        name = default;
        value = default;
        // Empty list elements (",,") are allowed by the #rule (RFC 7230 §7).
        i = DigestSyntax.SkipLinearWhitespace(text, i);
        while (i < text.Length && text[i] == ',')
        {
            i = DigestSyntax.SkipLinearWhitespace(text, i + 1);
        }
        if (i == text.Length)
        {
            _i = i;
            error = null;
            return false;
        }

        var nameEnd = EndOfToken(text, i);
        if (nameEnd == i)
        {
            error = $"expected a parameter name at '{DigestSyntax.Excerpt(text[i..])}'";
            return false;
        }
        name = text[i..nameEnd];
        i = DigestSyntax.SkipLinearWhitespace(text, nameEnd);
        if (i == text.Length || text[i] != '=')
        {
            error = $"parameter '{DigestSyntax.Excerpt(name)}' has no value";
            return false;
        }
        i = DigestSyntax.SkipLinearWhitespace(text, i + 1);

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
            value = text[i..valueEnd];
            i = valueEnd;
        }

        i = DigestSyntax.SkipLinearWhitespace(text, i);
        if (i < text.Length && text[i] != ',')
        {
            error = $"unexpected '{DigestSyntax.Excerpt(text[i..])}' after the value of '{DigestSyntax.Excerpt(name)}' (a comma was expected)";
            return false;
        }
        _i = i;
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
    private static bool TryReadQuoted(ReadOnlySpan<char> text, scoped ref int i, scoped ReadOnlySpan<char> name, out ReadOnlySpan<char> value, out string? error)
    {
        var start = i + 1;
        var run = text[start..].IndexOfAny(DigestSyntax.QuotedStops);
        if (run >= 0 && text[start + run] == '"')
        {
            // Nearly every value has no escapes: a slice of the text.
            value = text.Slice(start, run);
            i = start + run + 1;
            error = null;
            return true;
        }

        value = default;
        var sb = new StringBuilder(text.Length - start);
        var at = start;
        while (true)
        {
            if (at >= text.Length)
            {
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
                    error = $"the quoted value of '{DigestSyntax.Excerpt(name)}' is not terminated";
                    return false;
                }
                var escaped = text[at + 1];
                if (DigestSyntax.ControlChars.Contains(escaped) && escaped != '\t')
                {
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
