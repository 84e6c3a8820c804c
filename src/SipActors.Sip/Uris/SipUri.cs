using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace SipActors.Sip.Uris;

/// <summary>
/// A <c>sip:</c> or <c>sips:</c> URI (RFC 3261 §19.1): user, password, host, port, parameters and
/// headers, unescaped. Equality follows §19.1.4.
/// </summary>
public sealed class SipUri : AddressUri
{
    private string? _text;

    public SipUri(bool secure, string? user, string host, int? port = null,
        IEnumerable<KeyValuePair<string, string?>>? parameters = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0..65535.");
        }
        if (password is not null && string.IsNullOrEmpty(user))
        {
            throw new ArgumentException("A password needs a user.", nameof(password));
        }
        IsSecure = secure;
        User = string.IsNullOrEmpty(user) ? null : user;
        Password = password;
        (Host, HostKind) = NormalizeHost(host, 0);
        Port = port;
        Parameters = parameters is null ? [] : [.. parameters];
        Headers = headers is null ? [] : [.. headers];
    }

    public override string Scheme => IsSecure ? "sips" : "sip";

    public bool IsSecure { get; }

    /// <summary>The user part, unescaped; null when absent.</summary>
    public string? User { get; }

    /// <summary>The password part, unescaped (discouraged by RFC 3261 but legal); null when absent.</summary>
    public string? Password { get; }

    /// <summary>Lower-case domain name, dotted IPv4, or an IPv6 reference with brackets.</summary>
    public string Host { get; }

    public SipHostKind HostKind { get; }

    public int? Port { get; }

    /// <summary>uri-parameters in order; a flag parameter such as <c>lr</c> has a null value.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public string? Transport => GetParameter("transport");
    public string? UserParameter => GetParameter("user");
    public string? Maddr => GetParameter("maddr");
    public bool LooseRouting => HasParameter("lr");

    public string? GetParameter(string name)
    {
        foreach (var (key, value) in Parameters)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    public bool HasParameter(string name)
    {
        foreach (var (key, _) in Parameters)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public SipUri WithParameter(string name, string? value)
    {
        var list = new List<KeyValuePair<string, string?>>(Parameters);
        var i = list.FindIndex(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
        if (i >= 0)
        {
            list[i] = new(name, value);
        }
        else
        {
            list.Add(new(name, value));
        }
        return new SipUri(IsSecure, User, Host, Port, list, Headers, Password);
    }

    public SipUri WithoutParameter(string name)
        => new(IsSecure, User, Host, Port, Parameters.Where(p => !string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)), Headers, Password);

    public SipUri WithPort(int? port) => new(IsSecure, User, Host, port, Parameters, Headers, Password);

    public SipUri WithUser(string? user) => new(IsSecure, user, Host, Port, Parameters, Headers, user is null ? null : Password);

    public SipUri WithoutHeaders() => new(IsSecure, User, Host, Port, Parameters, null, Password);

    public static new SipUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    public static new SipUri Parse(ReadOnlySpan<char> text)
    {
        int start;
        bool secure;
        if (text.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
        {
            start = 4;
            secure = false;
        }
        else if (text.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            start = 5;
            secure = true;
        }
        else
        {
            throw UriSyntax.Error(0, "the scheme is not sip or sips");
        }
        var forbidden = text.IndexOfAny(UriSyntax.Forbidden);
        if (forbidden >= 0)
        {
            throw UriSyntax.Error(forbidden, "whitespace, quotes, angle brackets or NUL inside a SIP URI");
        }
        var control = text.IndexOfAnyInRange('\0', '\x1f');
        if (control >= 0 || text.Contains('\x7f'))
        {
            throw UriSyntax.Error(Math.Max(control, 0), "a control character inside a SIP URI");
        }

        var rest = text[start..];
        string? user = null;
        string? password = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var userinfo = rest[..at];
            var colon = userinfo.IndexOf(':');
            var userText = colon < 0 ? userinfo : userinfo[..colon];
            if (userText.IsEmpty)
            {
                throw UriSyntax.Error(start, "the user part before '@' is empty");
            }
            user = UriSyntax.Unescape(userText, UriSyntax.User, start, "user part");
            if (colon >= 0)
            {
                password = UriSyntax.Unescape(userinfo[(colon + 1)..], UriSyntax.Password, start + colon + 1, "password");
            }
            rest = rest[(at + 1)..];
            start += at + 1;
        }

        // hostport ends at the first ';' (parameters) or '?' (headers)
        var hostEnd = rest.IndexOfAny(';', '?');
        var hostport = hostEnd < 0 ? rest : rest[..hostEnd];
        var (host, kind, port) = ParseHostPort(hostport, start);
        rest = hostEnd < 0 ? default : rest[hostEnd..];
        start += hostEnd < 0 ? hostport.Length : hostEnd;

        var parameters = new List<KeyValuePair<string, string?>>();
        while (!rest.IsEmpty && rest[0] == ';')
        {
            rest = rest[1..];
            start++;
            var end = rest.IndexOfAny(';', '?');
            var item = end < 0 ? rest : rest[..end];
            var eq = item.IndexOf('=');
            var nameText = eq < 0 ? item : item[..eq];
            if (nameText.IsEmpty)
            {
                throw UriSyntax.Error(start, "a URI parameter has no name");
            }
            var name = UriSyntax.Unescape(nameText, UriSyntax.Param, start, "parameter name");
            string? value = null;
            if (eq >= 0)
            {
                value = UriSyntax.Unescape(item[(eq + 1)..], UriSyntax.Param, start + eq + 1, "parameter value");
            }
            parameters.Add(new(name, value));
            rest = end < 0 ? default : rest[end..];
            start += item.Length;
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (!rest.IsEmpty)
        {
            // rest starts with '?'
            rest = rest[1..];
            start++;
            foreach (var range in rest.Split('&'))
            {
                var item = rest[range];
                var eq = item.IndexOf('=');
                if (eq <= 0)
                {
                    throw UriSyntax.Error(start + range.Start.Value, "a URI header needs name=value");
                }
                headers.Add(new(
                    UriSyntax.Unescape(item[..eq], UriSyntax.Header, start + range.Start.Value, "header name"),
                    UriSyntax.Unescape(item[(eq + 1)..], UriSyntax.Header, start + range.Start.Value + eq + 1, "header value")));
            }
        }

        return new SipUri(secure, user, host, kind, port, parameters, headers, password);
    }

    private SipUri(bool secure, string? user, string host, SipHostKind kind, int? port,
        List<KeyValuePair<string, string?>> parameters, List<KeyValuePair<string, string>> headers, string? password)
    {
        IsSecure = secure;
        User = user;
        Password = password;
        Host = host;
        HostKind = kind;
        Port = port;
        Parameters = parameters;
        Headers = headers;
    }

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipUri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (SipParseException)
        {
            uri = null;
            return false;
        }
    }

    private static (string Host, SipHostKind Kind, int? Port) ParseHostPort(ReadOnlySpan<char> hostport, int offset)
    {
        if (hostport.IsEmpty)
        {
            throw UriSyntax.Error(offset, "the host is empty");
        }
        ReadOnlySpan<char> hostText;
        ReadOnlySpan<char> portText = default;
        var hasPort = false;
        if (hostport[0] == '[')
        {
            var close = hostport.IndexOf(']');
            if (close < 0)
            {
                throw UriSyntax.Error(offset, "unterminated IPv6 reference");
            }
            hostText = hostport[..(close + 1)];
            var after = hostport[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':')
                {
                    throw UriSyntax.Error(offset + close + 1, "junk after the IPv6 reference");
                }
                portText = after[1..];
                hasPort = true;
            }
        }
        else
        {
            var colon = hostport.IndexOf(':');
            hostText = colon < 0 ? hostport : hostport[..colon];
            if (colon >= 0)
            {
                portText = hostport[(colon + 1)..];
                hasPort = true;
            }
        }
        var (host, kind) = NormalizeHost(hostText, offset);
        int? port = null;
        if (hasPort)
        {
            if (portText.IsEmpty || portText.Length > 5 || portText.ContainsAnyExceptInRange('0', '9')
                || int.Parse(portText, CultureInfo.InvariantCulture) > 65535)
            {
                throw UriSyntax.Error(offset + hostText.Length + 1, "the port is not a number 0..65535");
            }
            port = int.Parse(portText, CultureInfo.InvariantCulture);
        }
        return (host, kind, port);
    }

    private static (string Host, SipHostKind Kind) NormalizeHost(ReadOnlySpan<char> host, int offset)
    {
        if (host.IsEmpty)
        {
            throw UriSyntax.Error(offset, "the host is empty");
        }
        if (host[0] == '[')
        {
            if (host.Length < 3 || host[^1] != ']' || !IPAddress.TryParse(host[1..^1], out var v6)
                || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                throw UriSyntax.Error(offset, "the IPv6 reference is not an IPv6 address");
            }
            return (host.ToString().ToLowerInvariant(), SipHostKind.IPv6);
        }
        // Underscores are outside the hostname grammar but appear in real deployments' host names;
        // accepting them cannot misroute anything, so they are tolerated.
        var bad = host.IndexOfAnyExcept(UriSyntax.HostName);
        if (bad >= 0)
        {
            throw UriSyntax.Error(offset + bad, $"character '{host[bad]}' is not allowed in a host");
        }
        if (host.Contains("..", StringComparison.Ordinal) || host[0] is '.' or '-')
        {
            throw UriSyntax.Error(offset, "the host name has an empty or malformed label");
        }
        if (IsIPv4(host))
        {
            return (host.ToString(), SipHostKind.IPv4);
        }
        return (host.ToString().ToLowerInvariant(), SipHostKind.DomainName);
    }

    private static bool IsIPv4(ReadOnlySpan<char> host)
    {
        var parts = 0;
        foreach (var range in host.Split('.'))
        {
            var part = host[range];
            if (part.IsEmpty || part.Length > 3 || part.ContainsAnyExceptInRange('0', '9') || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
            parts++;
        }
        return parts == 4;
    }

    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var sb = new StringBuilder(64).Append(Scheme).Append(':');
        if (User is not null)
        {
            UriSyntax.AppendEscaped(sb, User, UriSyntax.User);
            if (Password is not null)
            {
                sb.Append(':');
                UriSyntax.AppendEscaped(sb, Password, UriSyntax.Password);
            }
            sb.Append('@');
        }
        sb.Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }
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
        for (var i = 0; i < Headers.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&');
            UriSyntax.AppendEscaped(sb, Headers[i].Key, UriSyntax.Header);
            sb.Append('=');
            UriSyntax.AppendEscaped(sb, Headers[i].Value, UriSyntax.Header);
        }
        return sb.ToString();
    }

    private static readonly string[] MustMatchParameters = ["transport", "user", "ttl", "method", "maddr"];

    /// <summary>RFC 3261 §19.1.4 comparison.</summary>
    public override bool Equals(AddressUri? other)
    {
        if (other is not SipUri o)
        {
            return false;
        }
        if (ReferenceEquals(this, o))
        {
            return true;
        }
        if (IsSecure != o.IsSecure || !string.Equals(User, o.User, StringComparison.Ordinal)
            || !string.Equals(Password, o.Password, StringComparison.Ordinal)
            || !string.Equals(Host, o.Host, StringComparison.OrdinalIgnoreCase) || Port != o.Port)
        {
            return false;
        }
        foreach (var name in MustMatchParameters)
        {
            var mine = HasParameter(name);
            var theirs = o.HasParameter(name);
            if (mine != theirs || (mine && !string.Equals(GetParameter(name), o.GetParameter(name), StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        foreach (var (name, value) in Parameters)
        {
            if (o.HasParameter(name) && !string.Equals(value, o.GetParameter(name), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        if (Headers.Count != o.Headers.Count)
        {
            return false;
        }
        foreach (var (name, value) in Headers)
        {
            var found = false;
            foreach (var (otherName, otherValue) in o.Headers)
            {
                if (string.Equals(name, otherName, StringComparison.OrdinalIgnoreCase) && string.Equals(value, otherValue, StringComparison.Ordinal))
                {
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                return false;
            }
        }
        return true;
    }

    public override int GetHashCode()
        => HashCode.Combine(IsSecure, User, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);
}
