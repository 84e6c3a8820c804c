using System.Buffers;

namespace SipActors.Sip.Uris;

/// <summary>
/// Reads a SIP or SIPS URI by its grammar (RFC 3261 §25.1), one method per part:
/// <c>SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]</c>. Each part reads from
/// <c>pos</c> and moves it past what it took, or says where the text breaks the grammar. Works on
/// the span as given: strings are made only for the components the URI keeps.
/// </summary>
internal static class SipUriParser
{
    private static readonly SearchValues<char> HostEnd = SearchValues.Create(":;?");

    /// <summary>The URI, or null with the offset and reason of the first problem. Never throws.</summary>
    public static SipUri? Parse(ReadOnlySpan<char> text, out UriFailure failure)
    {
        if (!TryReadScheme(text, out var secure, out var pos, out failure)
            || !TryReadUserinfo(text, ref pos, out var user, out var password, out failure)
            || !TryReadHostport(text, ref pos, out var host, out var port, out failure)
            || !TryReadUriParameters(text, ref pos, out var parameters, out failure)
            || !TryReadHeaders(text, pos, out var headers, out failure))
        {
            return null;
        }
        return new SipUri(secure, user, password, host.Text, host.Kind, host.Address, port, parameters, headers);
    }

    /// <summary><c>"sip:"</c> or <c>"sips:"</c>, case-insensitive (§19.1.4).</summary>
    private static bool TryReadScheme(ReadOnlySpan<char> text, out bool secure, out int pos, out UriFailure failure)
    {
        failure = default;
        if (text.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
        {
            (secure, pos) = (false, 4);
            return true;
        }
        if (text.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            (secure, pos) = (true, 5);
            return true;
        }
        (secure, pos) = (false, 0);
        return Fail(0, "the scheme is not sip or sips", out failure);
    }

    /// <summary><c>userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"</c>; absent when no '@' follows.</summary>
    private static bool TryReadUserinfo(ReadOnlySpan<char> text, ref int pos, out string? user, out string? password, out UriFailure failure)
    {
        user = null;
        password = null;
        failure = default;
        // '@' appears nowhere else in the grammar unescaped, so one means a userinfo precedes it.
        var at = text[pos..].IndexOf('@');
        if (at < 0)
        {
            return true;
        }
        var userinfo = text.Slice(pos, at);
        var colon = userinfo.IndexOf(':');
        var userText = colon < 0 ? userinfo : userinfo[..colon];
        if (userText.IsEmpty)
        {
            return Fail(pos, "the user part before '@' is empty", out failure);
        }
        var bad = UriSyntax.Unescape(userText, UriSyntax.UserChars, out user);
        if (bad >= 0)
        {
            user = null;
            return Fail(pos + bad, UriSyntax.Problem(userText, bad, "user part"), out failure);
        }
        if (colon >= 0)
        {
            var passwordText = userinfo[(colon + 1)..];
            bad = UriSyntax.Unescape(passwordText, UriSyntax.PasswordChars, out password);
            if (bad >= 0)
            {
                password = null;
                return Fail(pos + colon + 1 + bad, UriSyntax.SecretProblem(passwordText, bad, "password"), out failure);
            }
        }
        pos += at + 1;
        return true;
    }

    /// <summary><c>hostport = host [ ":" port ]</c>.</summary>
    private static bool TryReadHostport(ReadOnlySpan<char> text, ref int pos, out Host host, out int? port, out UriFailure failure)
    {
        port = null;
        return TryReadHost(text, ref pos, out host, out failure) && TryReadPort(text, ref pos, out port, out failure);
    }

    /// <summary><c>host = hostname / IPv4address / IPv6reference</c>: a hostname is kept lower-case, an address by value too.</summary>
    private static bool TryReadHost(ReadOnlySpan<char> text, ref int pos, out Host host, out UriFailure failure)
    {
        host = default;
        failure = default;
        var rest = text[pos..];
        int length;
        if (!rest.IsEmpty && rest[0] == '[')
        {
            var close = rest.IndexOf(']');
            if (close < 0)
            {
                return Fail(pos, "unterminated IPv6 reference", out failure);
            }
            length = close + 1;
            if (length < rest.Length && rest[length] is not (':' or ';' or '?'))
            {
                return Fail(pos + length, $"{UriSyntax.Describe(rest[length])} follows the IPv6 reference where ':', ';' or '?' belongs", out failure);
            }
        }
        else
        {
            length = rest.IndexOfAny(HostEnd);
            if (length < 0)
            {
                length = rest.Length;
            }
        }
        var hostText = rest[..length];
        var error = UriHostSyntax.Validate(hostText, out var kind, out var address, out var detail);
        if (error >= 0)
        {
            return Fail(pos + error, detail!, out failure);
        }
        host = new Host(kind == SipHostKind.IPv4 ? new string(hostText) : UriSyntax.ToLower(hostText), kind, address);
        pos += length;
        return true;
    }

    /// <summary><c>port = 1*DIGIT</c> after a ':', at most 65535.</summary>
    private static bool TryReadPort(ReadOnlySpan<char> text, ref int pos, out int? port, out UriFailure failure)
    {
        port = null;
        failure = default;
        if (pos >= text.Length || text[pos] != ':')
        {
            return true;
        }
        pos++;
        var portText = text[pos..];
        var end = portText.IndexOfAny(';', '?');
        if (end >= 0)
        {
            portText = portText[..end];
        }
        var error = ParsePort(portText, out var value);
        if (error >= 0)
        {
            return Fail(pos + error, "port is not a number 0..65535", out failure);
        }
        port = value;
        pos += portText.Length;
        return true;
    }

    /// <summary><c>uri-parameters = *( ";" uri-parameter )</c>, <c>uri-parameter = pname [ "=" pvalue ]</c>, up to the '?' of the headers.</summary>
    private static bool TryReadUriParameters(ReadOnlySpan<char> text, ref int pos, out KeyValuePair<string, string?>[] parameters, out UriFailure failure)
    {
        parameters = SipUri.NoParameters;
        failure = default;
        if (pos >= text.Length || text[pos] != ';')
        {
            return true;
        }
        var region = text[pos..];
        var question = region.IndexOf('?');
        if (question >= 0)
        {
            region = region[..question];
        }
        var read = new KeyValuePair<string, string?>[region.Count(';')];
        var index = 0;
        while (!region.IsEmpty)
        {
            region = region[1..];
            pos++;
            var end = region.IndexOf(';');
            var item = end < 0 ? region : region[..end];
            if (!TryReadUriParameter(item, pos, out read[index++], out failure))
            {
                return false;
            }
            pos += item.Length;
            region = region[item.Length..];
        }
        parameters = read;
        return true;
    }

    /// <summary>One <c>pname [ "=" pvalue ]</c> starting at offset <paramref name="pos"/> of the URI.</summary>
    private static bool TryReadUriParameter(ReadOnlySpan<char> item, int pos, out KeyValuePair<string, string?> parameter, out UriFailure failure)
    {
        parameter = default;
        failure = default;
        var eq = item.IndexOf('=');
        var nameText = eq < 0 ? item : item[..eq];
        if (nameText.IsEmpty)
        {
            return Fail(pos, "a URI parameter has no name", out failure);
        }
        var bad = UriSyntax.Unescape(nameText, UriSyntax.ParamChars, out var name);
        if (bad >= 0)
        {
            return Fail(pos + bad, UriSyntax.Problem(nameText, bad, "parameter name"), out failure);
        }
        string? value = null;
        if (eq >= 0)
        {
            // pvalue is 1*paramchar, but "name=" is read as an empty value rather than refused: it is unambiguous.
            var valueText = item[(eq + 1)..];
            bad = UriSyntax.Unescape(valueText, UriSyntax.ParamChars, out var decoded);
            if (bad >= 0)
            {
                return Fail(pos + eq + 1 + bad, UriSyntax.Problem(valueText, bad, "parameter value"), out failure);
            }
            value = decoded;
        }
        parameter = new(name, value);
        return true;
    }

    /// <summary><c>headers = "?" header *( "&amp;" header )</c>, <c>header = hname "=" hvalue</c>: whatever is left after the parameters.</summary>
    private static bool TryReadHeaders(ReadOnlySpan<char> text, int pos, out KeyValuePair<string, string>[] headers, out UriFailure failure)
    {
        headers = SipUri.NoHeaders;
        failure = default;
        if (pos >= text.Length)
        {
            return true;
        }
        // Only '?' can be left here: host, port and parameters each stop at it.
        pos++;
        var region = text[pos..];
        var read = new KeyValuePair<string, string>[region.Count('&') + 1];
        var index = 0;
        while (true)
        {
            var end = region.IndexOf('&');
            var item = end < 0 ? region : region[..end];
            if (!TryReadHeader(item, pos, out read[index++], out failure))
            {
                return false;
            }
            if (end < 0)
            {
                break;
            }
            pos += end + 1;
            region = region[(end + 1)..];
        }
        headers = read;
        return true;
    }

    /// <summary>One <c>hname "=" hvalue</c> starting at offset <paramref name="pos"/> of the URI.</summary>
    private static bool TryReadHeader(ReadOnlySpan<char> item, int pos, out KeyValuePair<string, string> header, out UriFailure failure)
    {
        header = default;
        failure = default;
        var eq = item.IndexOf('=');
        if (eq <= 0)
        {
            return Fail(pos, eq == 0 ? "a URI header has no name" : "a URI header needs name=value", out failure);
        }
        var nameText = item[..eq];
        var bad = UriSyntax.Unescape(nameText, UriSyntax.HeaderChars, out var name);
        if (bad >= 0)
        {
            return Fail(pos + bad, UriSyntax.Problem(nameText, bad, "header name"), out failure);
        }
        var valueText = item[(eq + 1)..];
        bad = UriSyntax.Unescape(valueText, UriSyntax.HeaderChars, out var value);
        if (bad >= 0)
        {
            return Fail(pos + eq + 1 + bad, UriSyntax.Problem(valueText, bad, "header value"), out failure);
        }
        header = new(name, value);
        return true;
    }

    /// <summary>port = 1*DIGIT, at most five digits and at most 65535.</summary>
    /// <returns>-1 when valid, else the index of the problem (0 when the number as a whole is wrong).</returns>
    private static int ParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.IsEmpty)
        {
            return 0;
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return i;
            }
            if (i == 5)
            {
                return 0;
            }
            port = (port * 10) + (text[i] - '0');
        }
        return port > 65535 ? 0 : -1;
    }

    private static bool Fail(int offset, string detail, out UriFailure failure)
    {
        failure = new UriFailure(offset, detail);
        return false;
    }

    /// <summary>A host as the URI keeps it: its text, its kind and, for an address, its value.</summary>
    private readonly record struct Host(string Text, SipHostKind Kind, UInt128 Address);
}
