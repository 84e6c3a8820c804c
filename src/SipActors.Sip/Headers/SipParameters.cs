using System.Text;
using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>
/// Reads <c>;name[=value]</c> parameter lists (RFC 3261 generic-param) from spans. Values may be
/// quoted strings containing ';', which a plain split would cut.
/// </summary>
public static class SipParameters
{
    /// <summary>Finds a parameter by name (case-insensitive). A flag parameter (no '=') is found with an empty value.</summary>
    public static bool TryGet(ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var reader = new Reader(parameters);
        while (reader.MoveNext(out var n, out var v))
        {
            if (Ascii.EqualsIgnoreCase(n, name))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>All parameters as text: names as written, values unquoted (null for a flag).</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ToList(ReadOnlySpan<byte> parameters)
    {
        List<KeyValuePair<string, string?>>? list = null;
        var reader = new Reader(parameters);
        while (reader.MoveNext(out var n, out var v, out var hasValue))
        {
            (list ??= []).Add(new(Encoding.UTF8.GetString(n), hasValue ? Unquote(v) : null));
        }
        return list ?? (IReadOnlyList<KeyValuePair<string, string?>>)[];
    }

    /// <summary>The text of a value: a quoted string loses its quotes and backslash escapes; anything else is as written.</summary>
    public static string Unquote(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2 || value[0] != SipSyntax.Quote || value[^1] != SipSyntax.Quote)
        {
            return Encoding.UTF8.GetString(value);
        }
        value = value[1..^1];
        if (!value.Contains(SipSyntax.Backslash))
        {
            return Encoding.UTF8.GetString(value);
        }
        var bytes = new byte[value.Length];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == SipSyntax.Backslash && i + 1 < value.Length)
            {
                i++;
            }
            bytes[n++] = value[i];
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Looks a parameter up by name (case-insensitive) in a list made by <see cref="ToList"/>.</summary>
    public static bool TryFind(IReadOnlyList<KeyValuePair<string, string?>> parameters, string name, out string? value)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, v) in parameters)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>Appends <c>;name[=value]</c> pairs, quoting a value that is not a token or host (gen-value, RFC 3261 §25.1).</summary>
    public static void AppendTo(StringBuilder sb, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            sb.Append(';').Append(name);
            if (value is null)
            {
                continue;
            }
            sb.Append('=');
            if (NeedsQuotes(value))
            {
                sb.Append('"');
                foreach (var c in value)
                {
                    if (c is '"' or '\\')
                    {
                        sb.Append('\\');
                    }
                    sb.Append(c);
                }
                sb.Append('"');
            }
            else
            {
                sb.Append(value);
            }
        }
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }
        foreach (var c in value)
        {
            if (c > 0x7F || !(SipSyntax.Token.Contains((byte)c) || c is ':' or '[' or ']'))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Reads a quoted string starting at <paramref name="start"/> (a '"'); returns the index after its closing quote, or -1.</summary>
    internal static int SkipQuoted(ReadOnlySpan<byte> text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == SipSyntax.Backslash)
            {
                i++;
            }
            else if (text[i] == SipSyntax.Quote)
            {
                return i + 1;
            }
        }
        return -1;
    }

    /// <summary>Walks <c>;name=value</c> pairs; the input may start with the first ';' or with the first name.</summary>
    public ref struct Reader(ReadOnlySpan<byte> parameters)
    {
        private ReadOnlySpan<byte> _rest = parameters;

        public bool MoveNext(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) => MoveNext(out name, out value, out _);

        public bool MoveNext(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out bool hasValue)
        {
            while (true)
            {
                _rest = SipSyntax.TrimWhitespace(_rest);
                if (_rest.IsEmpty)
                {
                    name = value = default;
                    hasValue = false;
                    return false;
                }
                if (_rest[0] == SipSyntax.Semicolon)
                {
                    _rest = _rest[1..];
                    continue;
                }
                var end = IndexOfSeparator(_rest);
                var item = end < 0 ? _rest : _rest[..end];
                _rest = end < 0 ? default : _rest[end..];
                var eq = item.IndexOf(SipSyntax.Equal);
                if (eq < 0)
                {
                    name = SipSyntax.TrimWhitespace(item);
                    value = default;
                    hasValue = false;
                }
                else
                {
                    name = SipSyntax.TrimWhitespace(item[..eq]);
                    value = SipSyntax.TrimWhitespace(item[(eq + 1)..]);
                    hasValue = true;
                }
                if (!name.IsEmpty)
                {
                    return true;
                }
            }
        }

        private static int IndexOfSeparator(ReadOnlySpan<byte> text)
        {
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == SipSyntax.Semicolon)
                {
                    return i;
                }
                if (c == SipSyntax.Quote)
                {
                    var after = SkipQuoted(text, i);
                    if (after < 0)
                    {
                        return -1;
                    }
                    i = after;
                    continue;
                }
                i++;
            }
            return -1;
        }
    }
}
