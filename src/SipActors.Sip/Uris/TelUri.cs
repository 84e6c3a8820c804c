using System.Text;

namespace SipActors.Sip.Uris;

/// <summary>A <c>tel:</c> URI (RFC 3966): a global (+) or local number and its parameters.</summary>
public sealed class TelUri : AddressUri
{
    private static readonly System.Buffers.SearchValues<char> NumberChars = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF*#-.()+");

    private TelUri(string number, IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        Number = number;
        Parameters = parameters;
    }

    public override string Scheme => "tel";

    /// <summary>The number as written, visual separators included.</summary>
    public string Number { get; }

    public bool IsGlobal => Number.StartsWith('+');

    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }

    public string? Context
    {
        get
        {
            foreach (var (k, v) in Parameters)
            {
                if (string.Equals(k, "phone-context", StringComparison.OrdinalIgnoreCase))
                {
                    return v;
                }
            }
            return null;
        }
    }

    public static new TelUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    public static new TelUri Parse(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            throw UriSyntax.Error(0, "the scheme is not tel");
        }
        var rest = text[4..];
        var semi = rest.IndexOf(';');
        var number = semi < 0 ? rest : rest[..semi];
        if (number.IsEmpty || number.ContainsAnyExcept(NumberChars) || number[1..].Contains('+')
            || !number.ContainsAnyInRange('0', '9') && !number.ContainsAny("*#abcdefABCDEF"))
        {
            throw UriSyntax.Error(4, "the telephone number is empty or has characters outside RFC 3966");
        }
        var parameters = new List<KeyValuePair<string, string?>>();
        var offset = 4 + number.Length;
        var p = semi < 0 ? default : rest[semi..];
        while (!p.IsEmpty)
        {
            p = p[1..];
            offset++;
            var end = p.IndexOf(';');
            var item = end < 0 ? p : p[..end];
            var eq = item.IndexOf('=');
            var name = eq < 0 ? item : item[..eq];
            if (name.IsEmpty)
            {
                throw UriSyntax.Error(offset, "a tel parameter has no name");
            }
            parameters.Add(new(
                UriSyntax.Unescape(name, UriSyntax.Param, offset, "parameter name"),
                eq < 0 ? null : UriSyntax.Unescape(item[(eq + 1)..], UriSyntax.Param, offset + eq + 1, "parameter value")));
            p = end < 0 ? default : p[end..];
            offset += item.Length;
        }
        return new TelUri(number.ToString(), parameters);
    }

    public override string ToString()
    {
        var sb = new StringBuilder("tel:").Append(Number);
        foreach (var (name, value) in Parameters)
        {
            sb.Append(';');
            UriSyntax.AppendEscaped(sb, name, UriSyntax.Param);
            if (value is not null)
            {
                sb.Append('=');
                UriSyntax.AppendEscaped(sb, value, UriSyntax.Param);
            }
        }
        return sb.ToString();
    }

    /// <summary>RFC 3966 §4: numbers compared without visual separators, parameters as sets, case-insensitively.</summary>
    public override bool Equals(AddressUri? other)
    {
        if (other is not TelUri o || !string.Equals(Digits(Number), Digits(o.Number), StringComparison.OrdinalIgnoreCase)
            || Parameters.Count != o.Parameters.Count)
        {
            return false;
        }
        foreach (var (name, value) in Parameters)
        {
            if (!o.Parameters.Any(q => string.Equals(q.Key, name, StringComparison.OrdinalIgnoreCase)
                && string.Equals(q.Value, value, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        return true;
    }

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Digits(Number));

    private static string Digits(string number)
    {
        var sb = new StringBuilder(number.Length);
        foreach (var c in number)
        {
            if (c is not ('-' or '.' or '(' or ')'))
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
