using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Uris;

/// <summary>
/// A <c>tel:</c> URI (RFC 3966): a global number (<c>+</c> and digits) or a local number, and its
/// parameters. Immutable; <see cref="ToString"/> is the wire form. Equality follows RFC 3966 §4.
/// </summary>
/// <remarks>
/// RFC 3966 requires <c>phone-context</c> on a local number; a URI without it is still accepted, with a
/// null <see cref="Context"/>, because peers send such numbers and refusing them helps no one.
/// </remarks>
public sealed class TelUri : AddressUri
{
    private static readonly KeyValuePair<string, string?>[] NoParameters = [];

    private readonly KeyValuePair<string, string?>[] _parameters;
    private string? _text;

    /// <summary>Builds a tel URI from a number as it should be written and unescaped parameters.</summary>
    /// <exception cref="ArgumentException">The number is not an RFC 3966 number, or a parameter name is not 1*( alphanum / "-" ).</exception>
    public TelUri(string number, IEnumerable<KeyValuePair<string, string?>>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (ValidateNumber(number, out var detail) >= 0)
        {
            throw new ArgumentException($"'{number}' is not a telephone number: {detail}.", nameof(number));
        }
        Number = number;
        if (parameters is null)
        {
            _parameters = NoParameters;
            return;
        }
        var list = new List<KeyValuePair<string, string?>>();
        foreach (var parameter in parameters)
        {
            if (string.IsNullOrEmpty(parameter.Key) || parameter.Key.AsSpan().ContainsAnyExcept(UriSyntax.TelNameChars))
            {
                throw new ArgumentException($"'{parameter.Key}' is not a tel URI parameter name.", nameof(parameters));
            }
            list.Add(parameter);
        }
        _parameters = list.Count == 0 ? NoParameters : list.ToArray();
    }

    private TelUri(string number, KeyValuePair<string, string?>[] parameters)
    {
        Number = number;
        _parameters = parameters;
    }

    /// <summary><c>tel</c>.</summary>
    public override string Scheme => "tel";

    /// <summary>The number as written, visual separators (<c>- . ( )</c>) kept.</summary>
    public string Number { get; }

    /// <summary>True for a global (E.164) number, written with a leading '+'.</summary>
    public bool IsGlobal => Number.StartsWith('+');

    /// <summary>Parameters in order, names as written, values unescaped; null for a parameter without a value.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters => _parameters;

    /// <summary>The <c>phone-context</c> of a local number (a domain or a global number prefix), or null.</summary>
    public string? Context => GetParameter("phone-context");

    /// <summary>The <c>ext</c> parameter, or null.</summary>
    public string? Extension => GetParameter("ext");

    /// <summary>The value of the first parameter named <paramref name="name"/> (case-insensitive); null when absent or valueless.</summary>
    public string? GetParameter(string name)
    {
        var i = IndexOfParameter(name);
        return i < 0 ? null : _parameters[i].Value;
    }

    /// <summary>Whether a parameter named <paramref name="name"/> (case-insensitive) is present.</summary>
    public bool HasParameter(string name) => IndexOfParameter(name) >= 0;

    private int IndexOfParameter(string name) => UriSyntax.IndexOfParameter(_parameters, name);

    /// <summary>Parses a tel URI; throws <see cref="SipParseException"/> with <see cref="SipParseError.InvalidUri"/>.</summary>
    public static new TelUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static new TelUri Parse(ReadOnlySpan<char> text)
        => ParseCore(text, out var failure) ?? throw UriSyntax.CreateException(text, failure);

    /// <summary>Parses a tel URI; never throws, whatever the input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out TelUri? uri)
    {
        uri = ParseCore(text, out _);
        return uri is not null;
    }

    internal static TelUri? ParseCore(ReadOnlySpan<char> text, out UriFailure failure)
    {
        const int start = 4;
        if (!text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(0, "the scheme is not tel", out failure);
        }
        var rest = text[start..];
        var semicolon = rest.IndexOf(';');
        var numberText = semicolon < 0 ? rest : rest[..semicolon];
        var bad = ValidateNumber(numberText, out var detail);
        if (bad >= 0)
        {
            return Fail(start + bad, detail!, out failure);
        }
        var number = new string(numberText);

        var parameters = NoParameters;
        if (semicolon >= 0)
        {
            var pos = start + semicolon;
            var region = rest[semicolon..];
            parameters = new KeyValuePair<string, string?>[region.Count(';')];
            var index = 0;
            while (!region.IsEmpty)
            {
                region = region[1..];
                pos++;
                var end = region.IndexOf(';');
                var item = end < 0 ? region : region[..end];
                var eq = item.IndexOf('=');
                var nameText = eq < 0 ? item : item[..eq];
                if (nameText.IsEmpty)
                {
                    return Fail(pos, "a tel URI parameter has no name", out failure);
                }
                var badName = nameText.IndexOfAnyExcept(UriSyntax.TelNameChars);
                if (badName >= 0)
                {
                    return Fail(pos + badName, $"{UriSyntax.Describe(nameText[badName])} is not allowed in a tel URI parameter name", out failure);
                }
                string? value = null;
                if (eq >= 0)
                {
                    var valueText = item[(eq + 1)..];
                    bad = UriSyntax.Unescape(valueText, UriSyntax.TelValueChars, out var decoded);
                    if (bad >= 0)
                    {
                        return Fail(pos + eq + 1 + bad, UriSyntax.Problem(valueText, bad, "parameter value"), out failure);
                    }
                    value = decoded;
                }
                parameters[index++] = new(UriSyntax.Intern(nameText), value);
                pos += item.Length;
                region = region[item.Length..];
            }
        }

        failure = default;
        return new TelUri(number, parameters);
    }

    private static TelUri? Fail(int offset, string detail, out UriFailure failure)
    {
        failure = new UriFailure(offset, detail);
        return null;
    }

    /// <summary>
    /// global-number-digits = "+" *phonedigit DIGIT *phonedigit;
    /// local-number-digits = *phonedigit-hex ( HEXDIG / "*" / "#" ) *phonedigit-hex.
    /// '#' is also accepted as %23, since URI rules reserve a bare '#' for fragments and careful
    /// senders escape it.
    /// </summary>
    /// <returns>-1 when valid, else the index of the problem.</returns>
    private static int ValidateNumber(ReadOnlySpan<char> number, out string? detail)
    {
        if (number.IsEmpty)
        {
            detail = "the telephone number is empty";
            return 0;
        }
        var global = number[0] == '+';
        var hasDigit = false;
        for (var i = global ? 1 : 0; i < number.Length; i++)
        {
            var c = number[i];
            if (char.IsAsciiDigit(c) || (!global && (char.IsAsciiHexDigit(c) || c is '*' or '#')))
            {
                hasDigit = true;
            }
            else if (!global && c == '%' && i + 2 < number.Length && number[i + 1] == '2' && number[i + 2] == '3')
            {
                hasDigit = true;
                i += 2;
            }
            else if (c is not ('-' or '.' or '(' or ')'))
            {
                detail = $"{UriSyntax.Describe(c)} is not allowed in a {(global ? "global" : "local")} telephone number";
                return i;
            }
        }
        if (!hasDigit)
        {
            detail = global ? "a global number needs at least one digit" : "a local number needs at least one digit, '*' or '#'";
            return 0;
        }
        detail = null;
        return -1;
    }

    /// <summary>The wire form, built once.</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var length = 4 + Number.Length;
        foreach (var (name, value) in _parameters)
        {
            length += 1 + name.Length + (value is null ? 0 : 1 + UriSyntax.EscapedLength(value, UriSyntax.TelValueChars));
        }
        return string.Create(length, this, static (span, uri) =>
        {
            "tel:".CopyTo(span);
            uri.Number.CopyTo(span[4..]);
            var at = 4 + uri.Number.Length;
            foreach (var (name, value) in uri._parameters)
            {
                span[at++] = ';';
                name.CopyTo(span[at..]);
                at += name.Length;
                if (value is not null)
                {
                    span[at++] = '=';
                    at += UriSyntax.WriteEscaped(span[at..], value, UriSyntax.TelValueChars);
                }
            }
        });
    }

    /// <summary>
    /// RFC 3966 §4: both global or both local; numbers equal once visual separators are dropped;
    /// the same parameter names, in any order, with equal values; everything case-insensitive. A
    /// <c>phone-context</c> or <c>ext</c> that is a number is compared without its separators too.
    /// </summary>
    public override bool Equals(AddressUri? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is not TelUri o || IsGlobal != o.IsGlobal || !DigitsEqual(Number, o.Number))
        {
            return false;
        }
        return SameParameters(this, o) && SameParameters(o, this);
    }

    private static bool SameParameters(TelUri these, TelUri those)
    {
        foreach (var (name, _) in these._parameters)
        {
            var theirs = those.IndexOfParameter(name);
            if (theirs < 0)
            {
                return false;
            }
            var mine = these.GetParameter(name);
            var value = those._parameters[theirs].Value;
            var numeric = string.Equals(name, "ext", StringComparison.OrdinalIgnoreCase)
                || (string.Equals(name, "phone-context", StringComparison.OrdinalIgnoreCase) && mine is ['+', ..]);
            var equal = numeric && mine is not null && value is not null
                ? DigitsEqual(mine, value)
                : string.Equals(mine, value, StringComparison.OrdinalIgnoreCase);
            if (!equal)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Compares two numbers ignoring visual separators, case and the %23 spelling of '#'.</summary>
    private static bool DigitsEqual(string a, string b)
    {
        int i = 0, j = 0;
        while (true)
        {
            var x = NextDigit(a, ref i);
            var y = NextDigit(b, ref j);
            if (x != y)
            {
                return false;
            }
            if (x < 0)
            {
                return true;
            }
        }
    }

    /// <summary>The next significant character of a number, lower-cased, or -1 at the end.</summary>
    private static int NextDigit(string number, ref int i)
    {
        while (i < number.Length)
        {
            var c = number[i++];
            if (c is '-' or '.' or '(' or ')')
            {
                continue;
            }
            if (c == '%' && i + 1 < number.Length && number[i] == '2' && number[i + 1] == '3')
            {
                i += 2;
                return '#';
            }
            return char.ToLowerInvariant(c);
        }
        return -1;
    }

    /// <summary>Hashes the number's significant characters, which is all that equal tel URIs always share.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        var i = 0;
        int c;
        while ((c = NextDigit(Number, ref i)) >= 0)
        {
            hash.Add(c);
        }
        return hash.ToHashCode();
    }
}
