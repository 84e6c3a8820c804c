using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SipActors.Sip.Uris;

/// <summary>
/// A <c>sip:</c> or <c>sips:</c> URI (RFC 3261 §19.1): user, password, host, port, uri-parameters and
/// headers, with escapes decoded. Immutable; <see cref="ToString"/> is the wire form, escaping only what
/// each component's grammar requires, and parses back to an equal URI. Equality follows RFC 3261
/// §19.1.4, with IP addresses compared by value as RFC 5954 §4 asks.
/// </summary>
public sealed class SipUri : AddressUri
{
    internal static readonly KeyValuePair<string, string?>[] NoParameters = [];
    internal static readonly KeyValuePair<string, string>[] NoHeaders = [];

    /// <summary>The parameters RFC 3261 §19.1.4 compares even when only one of the two URIs has them.</summary>
    private static readonly string[] AlwaysComparedParameters = ["transport", "user", "ttl", "method", "maddr"];

    private readonly KeyValuePair<string, string?>[] _parameters;
    private readonly KeyValuePair<string, string>[] _headers;

    /// <summary>The IPv4 (low 32 bits) or IPv6 address for <see cref="SipHostKind.IPv4"/> and <see cref="SipHostKind.IPv6"/> hosts.</summary>
    private readonly UInt128 _address;

    private string? _text;

    /// <summary>Builds a URI from unescaped components; <see cref="ToString"/> escapes them as needed.</summary>
    /// <param name="secure">True for <c>sips:</c>.</param>
    /// <param name="user">The user part, or null (an empty string counts as none).</param>
    /// <param name="host">A host name, an IPv4 address, or an IPv6 address with or without brackets.</param>
    /// <param name="port">0..65535, or null for none.</param>
    /// <param name="parameters">uri-parameters in order; a null value makes a flag such as <c>lr</c>.</param>
    /// <param name="headers">URI headers (<c>?name=value&amp;…</c>).</param>
    /// <param name="password">The password; needs a user.</param>
    /// <exception cref="ArgumentException">The host is not valid, a parameter or header has no name, or a password comes without a user.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port is outside 0..65535.</exception>
    public SipUri(bool secure, string? user, string host, int? port = null,
        IEnumerable<KeyValuePair<string, string?>>? parameters = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ValidatePort(port);
        if (string.IsNullOrEmpty(user))
        {
            if (password is not null)
            {
                throw new ArgumentException("A password needs a user.", nameof(password));
            }
            user = null;
        }
        var reference = host.Contains(':', StringComparison.Ordinal) && host[0] != '[' ? "[" + host + "]" : host;
        if (UriHostSyntax.Validate(reference, out var kind, out var address, out var detail) >= 0)
        {
            throw new ArgumentException($"'{host}' is not a host name, IPv4 address or IPv6 address: {detail}.", nameof(host));
        }
        IsSecure = secure;
        User = user;
        Password = password;
        Host = kind == SipHostKind.IPv4 ? reference : UriSyntax.ToLower(reference);
        HostKind = kind;
        _address = address;
        Port = port;
        _parameters = CopyParameters(parameters);
        _headers = CopyHeaders(headers);
    }

    /// <summary>From parsed components, already unescaped and checked; the arrays are kept, not copied.</summary>
    internal SipUri(bool secure, string? user, string? password, string host, SipHostKind kind, UInt128 address, int? port,
        KeyValuePair<string, string?>[] parameters, KeyValuePair<string, string>[] headers)
    {
        IsSecure = secure;
        User = user;
        Password = password;
        Host = host;
        HostKind = kind;
        _address = address;
        Port = port;
        _parameters = parameters;
        _headers = headers;
    }

    /// <summary><c>sips</c> or <c>sip</c>.</summary>
    public override string Scheme => IsSecure ? "sips" : "sip";

    /// <summary>True for a <c>sips:</c> URI.</summary>
    public bool IsSecure { get; }

    /// <summary>The user part, unescaped; null when absent.</summary>
    public string? User { get; }

    /// <summary>The password, unescaped (RFC 3261 discourages it, but it is legal); null when absent. Never part of an error message.</summary>
    public string? Password { get; }

    /// <summary>Lower-case host name, dotted IPv4 address, or lower-case IPv6 reference with its brackets, as written otherwise.</summary>
    public string Host { get; }

    public SipHostKind HostKind { get; }

    public int? Port { get; }

    /// <summary>uri-parameters in order, names as written, values unescaped; a flag parameter such as <c>lr</c> has a null value.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters => _parameters;

    /// <summary>URI headers in order, unescaped.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>The <c>transport</c> parameter as written, or null.</summary>
    public string? Transport => GetParameter("transport");

    /// <summary>The <c>user</c> parameter (<c>phone</c>, <c>ip</c>, …), or null.</summary>
    public string? UserParameter => GetParameter("user");

    /// <summary>The <c>maddr</c> parameter, or null.</summary>
    public string? Maddr => GetParameter("maddr");

    /// <summary>True when the <c>lr</c> parameter is present (RFC 3261 loose routing).</summary>
    public bool LooseRouting => HasParameter("lr");

    /// <summary>The value of the first parameter named <paramref name="name"/> (case-insensitive); null when absent or a flag.</summary>
    public string? GetParameter(string name)
    {
        var i = IndexOfParameter(name);
        return i < 0 ? null : _parameters[i].Value;
    }

    /// <summary>Whether a parameter named <paramref name="name"/> (case-insensitive) is present, with or without a value.</summary>
    public bool HasParameter(string name) => IndexOfParameter(name) >= 0;

    private int IndexOfParameter(string name) => UriSyntax.IndexOfParameter(_parameters, name);

    /// <summary>A copy with the first parameter named <paramref name="name"/> set to <paramref name="value"/>, or with it appended.</summary>
    public SipUri WithParameter(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var i = IndexOfParameter(name);
        KeyValuePair<string, string?>[] parameters;
        if (i >= 0)
        {
            parameters = (KeyValuePair<string, string?>[])_parameters.Clone();
            parameters[i] = new(name, value);
        }
        else
        {
            parameters = new KeyValuePair<string, string?>[_parameters.Length + 1];
            _parameters.CopyTo(parameters, 0);
            parameters[^1] = new(name, value);
        }
        return new SipUri(IsSecure, User, Password, Host, HostKind, _address, Port, parameters, _headers);
    }

    /// <summary>A copy without any parameter named <paramref name="name"/> (case-insensitive).</summary>
    public SipUri WithoutParameter(string name)
    {
        var kept = 0;
        foreach (var (key, _) in _parameters)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                kept++;
            }
        }
        if (kept == _parameters.Length)
        {
            return this;
        }
        var parameters = kept == 0 ? NoParameters : new KeyValuePair<string, string?>[kept];
        var at = 0;
        foreach (var parameter in _parameters)
        {
            if (!string.Equals(parameter.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                parameters[at++] = parameter;
            }
        }
        return new SipUri(IsSecure, User, Password, Host, HostKind, _address, Port, parameters, _headers);
    }

    /// <summary>A copy with another port, or none.</summary>
    public SipUri WithPort(int? port)
    {
        ValidatePort(port);
        return new SipUri(IsSecure, User, Password, Host, HostKind, _address, port, _parameters, _headers);
    }

    /// <summary>A copy with another user; null or empty removes the userinfo, password included.</summary>
    public SipUri WithUser(string? user)
    {
        var none = string.IsNullOrEmpty(user);
        return new SipUri(IsSecure, none ? null : user, none ? null : Password, Host, HostKind, _address, Port, _parameters, _headers);
    }

    /// <summary>A copy without URI headers (what a Request-URI built from this URI must be, RFC 3261 §19.1.5).</summary>
    public SipUri WithoutHeaders()
        => _headers.Length == 0 ? this : new SipUri(IsSecure, User, Password, Host, HostKind, _address, Port, _parameters, NoHeaders);

    /// <summary>Parses a SIP or SIPS URI; throws <see cref="SipParseException"/> with <see cref="SipParseError.InvalidUri"/>.</summary>
    public static new SipUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static new SipUri Parse(ReadOnlySpan<char> text)
        => ParseCore(text, out var failure) ?? throw UriSyntax.CreateException(text, failure);

    /// <summary>Parses a SIP or SIPS URI; never throws, whatever the input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = ParseCore(text, out _);
        return uri is not null;
    }

    /// <summary>The grammar's parts are read by <see cref="SipUriParser"/>.</summary>
    internal static SipUri? ParseCore(ReadOnlySpan<char> text, out UriFailure failure) => SipUriParser.Parse(text, out failure);

    private static void ValidatePort(int? port)
    {
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0..65535.");
        }
    }

    private static KeyValuePair<string, string?>[] CopyParameters(IEnumerable<KeyValuePair<string, string?>>? parameters)
    {
        if (parameters is null)
        {
            return NoParameters;
        }
        var list = new List<KeyValuePair<string, string?>>();
        foreach (var parameter in parameters)
        {
            if (string.IsNullOrEmpty(parameter.Key))
            {
                throw new ArgumentException("A URI parameter needs a name.", nameof(parameters));
            }
            list.Add(parameter);
        }
        return list.Count == 0 ? NoParameters : list.ToArray();
    }

    private static KeyValuePair<string, string>[] CopyHeaders(IEnumerable<KeyValuePair<string, string>>? headers)
    {
        if (headers is null)
        {
            return NoHeaders;
        }
        var list = new List<KeyValuePair<string, string>>();
        foreach (var header in headers)
        {
            if (string.IsNullOrEmpty(header.Key) || header.Value is null)
            {
                throw new ArgumentException("A URI header needs a name and a value.", nameof(headers));
            }
            list.Add(header);
        }
        return list.Count == 0 ? NoHeaders : list.ToArray();
    }

    /// <summary>The wire form, built once.</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var length = Scheme.Length + 1 + Host.Length;
        if (User is not null)
        {
            length += UriSyntax.EscapedLength(User, UriSyntax.UserChars) + 1;
            if (Password is not null)
            {
                length += 1 + UriSyntax.EscapedLength(Password, UriSyntax.PasswordChars);
            }
        }
        if (Port is { } port)
        {
            length += 1 + (port < 10 ? 1 : port < 100 ? 2 : port < 1000 ? 3 : port < 10000 ? 4 : 5);
        }
        foreach (var (name, value) in _parameters)
        {
            length += 1 + UriSyntax.EscapedLength(name, UriSyntax.ParamChars);
            if (value is not null)
            {
                length += 1 + UriSyntax.EscapedLength(value, UriSyntax.ParamChars);
            }
        }
        foreach (var (name, value) in _headers)
        {
            length += 2 + UriSyntax.EscapedLength(name, UriSyntax.HeaderChars) + UriSyntax.EscapedLength(value, UriSyntax.HeaderChars);
        }
        return string.Create(length, this, static (span, uri) => uri.Write(span));
    }

    private void Write(Span<char> span)
    {
        Scheme.CopyTo(span);
        var at = Scheme.Length;
        span[at++] = ':';
        if (User is not null)
        {
            at += UriSyntax.WriteEscaped(span[at..], User, UriSyntax.UserChars);
            if (Password is not null)
            {
                span[at++] = ':';
                at += UriSyntax.WriteEscaped(span[at..], Password, UriSyntax.PasswordChars);
            }
            span[at++] = '@';
        }
        Host.CopyTo(span[at..]);
        at += Host.Length;
        if (Port is { } port)
        {
            span[at++] = ':';
            port.TryFormat(span[at..], out var written, default, CultureInfo.InvariantCulture);
            at += written;
        }
        foreach (var (name, value) in _parameters)
        {
            span[at++] = ';';
            at += UriSyntax.WriteEscaped(span[at..], name, UriSyntax.ParamChars);
            if (value is not null)
            {
                span[at++] = '=';
                at += UriSyntax.WriteEscaped(span[at..], value, UriSyntax.ParamChars);
            }
        }
        for (var i = 0; i < _headers.Length; i++)
        {
            span[at++] = i == 0 ? '?' : '&';
            at += UriSyntax.WriteEscaped(span[at..], _headers[i].Key, UriSyntax.HeaderChars);
            span[at++] = '=';
            at += UriSyntax.WriteEscaped(span[at..], _headers[i].Value, UriSyntax.HeaderChars);
        }
    }

    /// <summary>
    /// RFC 3261 §19.1.4: scheme, user and password (case-sensitive, after unescaping), host
    /// (case-insensitive; IP addresses by value, RFC 5954 §4) and port must match; transport, user,
    /// ttl, method and maddr parameters must match when either URI has them, other parameters only
    /// when both have them (values case-insensitive); headers must be the same set (names
    /// case-insensitive, values case-sensitive). Not transitive, as the RFC notes.
    /// </summary>
    public override bool Equals(AddressUri? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is not SipUri o || IsSecure != o.IsSecure || Port != o.Port || HostKind != o.HostKind
            || !string.Equals(User, o.User, StringComparison.Ordinal)
            || !string.Equals(Password, o.Password, StringComparison.Ordinal))
        {
            return false;
        }
        if (HostKind == SipHostKind.DomainName ? !string.Equals(Host, o.Host, StringComparison.OrdinalIgnoreCase) : _address != o._address)
        {
            return false;
        }
        foreach (var name in AlwaysComparedParameters)
        {
            var mine = IndexOfParameter(name);
            var theirs = o.IndexOfParameter(name);
            if ((mine < 0) != (theirs < 0)
                || (mine >= 0 && !string.Equals(_parameters[mine].Value, o._parameters[theirs].Value, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        foreach (var (name, _) in _parameters)
        {
            var theirs = o.IndexOfParameter(name);
            if (theirs >= 0 && !string.Equals(GetParameter(name), o._parameters[theirs].Value, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return _headers.Length == o._headers.Length && ContainsAll(_headers, o._headers) && ContainsAll(o._headers, _headers);
    }

    private static bool ContainsAll(KeyValuePair<string, string>[] these, KeyValuePair<string, string>[] those)
    {
        foreach (var (name, value) in these)
        {
            var found = false;
            foreach (var (otherName, otherValue) in those)
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

    /// <summary>Hashes only what <see cref="Equals(AddressUri)"/> always compares; parameters may be ignored there, so they are left out.</summary>
    public override int GetHashCode()
    {
        var hostHash = HostKind == SipHostKind.DomainName ? StringComparer.OrdinalIgnoreCase.GetHashCode(Host) : _address.GetHashCode();
        return HashCode.Combine(IsSecure, User, Password, hostHash, Port);
    }
}
