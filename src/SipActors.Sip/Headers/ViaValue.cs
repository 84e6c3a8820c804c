using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>
/// One Via value read in place (RFC 3261 §20.42): <c>SIP/2.0/UDP host:port;branch=...;rport</c>.
/// The transaction layer reads branch, sent-by and rport from here on every message without allocating.
/// </summary>
public readonly ref struct ViaValue
{
    public ReadOnlySpan<byte> Transport { get; init; }
    public ReadOnlySpan<byte> Host { get; init; }
    /// <summary>The sent-by port, or -1 when absent.</summary>
    public int Port { get; init; }
    public ReadOnlySpan<byte> Parameters { get; init; }

    public ReadOnlySpan<byte> Branch => SipParameters.TryGet(Parameters, "branch"u8, out var v) ? v : default;

    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) => SipParameters.TryGet(Parameters, name, out value);

    /// <summary>Reads one Via value; false when it does not follow the grammar.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out ViaValue via)
    {
        via = default;
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS
        var pos = 0;
        if (!TakeToken(value, ref pos, out var nameStart, out var nameLength) || !TakeSlash(value, ref pos)
            || !TakeToken(value, ref pos, out var versionStart, out var versionLength) || !TakeSlash(value, ref pos)
            || !TakeToken(value, ref pos, out var transportStart, out var transportLength))
        {
            return false;
        }
        if (!System.Text.Ascii.EqualsIgnoreCase(value.Slice(nameStart, nameLength), "SIP"u8)
            || !value.Slice(versionStart, versionLength).SequenceEqual("2.0"u8))
        {
            return false;
        }
        var transport = value.Slice(transportStart, transportLength);
        value = value[pos..];
        var afterProtocol = value.IndexOfAnyExcept(SipSyntax.Whitespace);
        if (afterProtocol <= 0)
        {
            return false; // LWS is required between sent-protocol and sent-by
        }
        value = value[afterProtocol..];
        var semi = value.IndexOf(SipSyntax.Semicolon);
        var sentBy = SipSyntax.TrimWhitespace(semi < 0 ? value : value[..semi]);
        var parameters = semi < 0 ? default : value[semi..];
        if (!TrySplitHostPort(sentBy, out var host, out var port))
        {
            return false;
        }
        via = new ViaValue { Transport = transport, Host = host, Port = port, Parameters = parameters };
        return true;
    }

    /// <summary>host [":" port], host possibly an IPv6 reference; port -1 when absent.</summary>
    internal static bool TrySplitHostPort(ReadOnlySpan<byte> sentBy, out ReadOnlySpan<byte> host, out int port)
    {
        host = default;
        port = -1;
        if (sentBy.IsEmpty)
        {
            return false;
        }
        int portStart;
        if (sentBy[0] == (byte)'[')
        {
            var close = sentBy.IndexOf((byte)']');
            if (close < 2)
            {
                return false;
            }
            host = sentBy[..(close + 1)];
            portStart = close + 1;
        }
        else
        {
            var colon = sentBy.IndexOf(SipSyntax.Colon);
            host = colon < 0 ? sentBy : sentBy[..colon];
            portStart = colon < 0 ? sentBy.Length : colon;
            if (host.IsEmpty || host.ContainsAny(SipSyntax.Whitespace))
            {
                return false;
            }
        }
        var rest = SipSyntax.TrimWhitespace(sentBy[portStart..]);
        if (rest.IsEmpty)
        {
            return true;
        }
        if (rest[0] != SipSyntax.Colon)
        {
            return false;
        }
        var digits = SipSyntax.TrimWhitespace(rest[1..]);
        if (digits.IsEmpty || digits.Length > 5 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }
        var p = 0;
        foreach (var d in digits)
        {
            p = p * 10 + (d - '0');
        }
        if (p > 65535)
        {
            return false;
        }
        port = p;
        return true;
    }

    private static bool TakeToken(ReadOnlySpan<byte> value, ref int pos, out int start, out int length)
    {
        var skip = value[pos..].IndexOfAnyExcept(SipSyntax.Whitespace);
        start = skip < 0 ? value.Length : pos + skip;
        var end = value[start..].IndexOfAnyExcept(SipSyntax.Token);
        length = end < 0 ? value.Length - start : end;
        pos = start + length;
        return length > 0;
    }

    private static bool TakeSlash(ReadOnlySpan<byte> value, ref int pos)
    {
        var s = value[pos..].IndexOfAnyExcept(SipSyntax.Whitespace);
        if (s < 0 || value[pos + s] != (byte)'/')
        {
            return false;
        }
        pos += s + 1;
        return true;
    }
}
