namespace SipActors.Sip.Uris;

/// <summary>
/// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1, with the IPv6 production corrected
/// by RFC 5954, which is RFC 3986's). IP addresses are also read as numbers, because RFC 5954 compares
/// them by value rather than by text.
/// </summary>
internal static class UriHostSyntax
{
    private static readonly System.Buffers.SearchValues<char> DigitsAndDots = System.Buffers.SearchValues.Create("0123456789.");

    /// <summary>
    /// Validates a host as written (an IPv6 reference with its brackets) and returns its kind and, for
    /// IP addresses, its value (IPv4 in the low 32 bits).
    /// </summary>
    /// <returns>-1 when valid, else the index of the problem within <paramref name="host"/>.</returns>
    public static int Validate(ReadOnlySpan<char> host, out SipHostKind kind, out UInt128 address, out string? detail)
    {
        address = default;
        detail = null;
        if (host.IsEmpty)
        {
            kind = SipHostKind.DomainName;
            detail = "the host is empty";
            return 0;
        }
        if (host[0] == '[')
        {
            kind = SipHostKind.IPv6;
            if (host.Length < 2 || host[^1] != ']')
            {
                detail = "unterminated IPv6 reference";
                return 0;
            }
            if (!TryParseIPv6(host[1..^1], out address))
            {
                detail = "the IPv6 reference does not hold an IPv6 address (RFC 4291 text form)";
                return 1;
            }
            return -1;
        }
        if (!host.ContainsAnyExcept(DigitsAndDots))
        {
            kind = SipHostKind.IPv4;
            if (!TryParseIPv4(host, out var v4))
            {
                detail = "the host is not an IPv4 address (four decimal octets 0..255)";
                return 0;
            }
            address = v4;
            return -1;
        }
        kind = SipHostKind.DomainName;
        return ValidateHostName(host, out detail);
    }

    /// <summary>
    /// hostname = *( domainlabel "." ) toplabel [ "." ], labels of alphanumerics and inner hyphens.
    /// Two readings are tolerant on purpose: '_' counts as a label character, because real deployments
    /// use it in host names and accepting it cannot make one valid URI mean another; and a top label may
    /// start with a digit (RFC 1123 §2.1 relaxed that for DNS), since a host of digits and dots only has
    /// already been sent to the IPv4 check, which is what the ALPHA rule exists to separate.
    /// </summary>
    private static int ValidateHostName(ReadOnlySpan<char> host, out string? detail)
    {
        var labelStart = 0;
        for (var i = 0; i < host.Length; i++)
        {
            var c = host[i];
            if (c == '.')
            {
                if (i == labelStart)
                {
                    detail = "the host name has an empty label";
                    return i;
                }
                if (host[i - 1] == '-')
                {
                    detail = "a host name label ends with '-'";
                    return i - 1;
                }
                labelStart = i + 1;
            }
            else if (c == '-')
            {
                if (i == labelStart)
                {
                    detail = "a host name label starts with '-'";
                    return i;
                }
            }
            else if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                detail = $"{UriSyntax.Describe(c)} is not allowed in the host";
                return i;
            }
        }
        if (host[^1] == '-')
        {
            detail = "a host name label ends with '-'";
            return host.Length - 1;
        }
        detail = null;
        return -1;
    }

    /// <summary>IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0..255.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var parts = 0;
        var i = 0;
        while (true)
        {
            var digits = 0;
            var octet = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && digits < 4)
            {
                octet = (octet * 10) + (text[i] - '0');
                digits++;
                i++;
            }
            if (digits is 0 or > 3 || octet > 255)
            {
                return false;
            }
            value = (value << 8) | (uint)octet;
            parts++;
            if (i == text.Length)
            {
                return parts == 4;
            }
            if (text[i] != '.' || parts == 4)
            {
                return false;
            }
            i++;
        }
    }

    /// <summary>
    /// An IPv6 address in RFC 4291 §2.2 text form: eight groups of 1..4 hex digits, one "::" standing
    /// for one or more zero groups, and optionally a dotted IPv4 address as the last 32 bits. Three
    /// colons in a row (RFC 5118 §4.10, the RFC 3261 ABNF bug) and zone indexes are rejected.
    /// </summary>
    public static bool TryParseIPv6(ReadOnlySpan<char> text, out UInt128 value)
    {
        value = default;
        Span<ushort> groups = stackalloc ushort[8];
        var count = 0;
        var gap = -1;
        var i = 0;
        if (text.StartsWith("::"))
        {
            gap = 0;
            i = 2;
            if (i == text.Length)
            {
                return true;
            }
        }
        while (true)
        {
            var start = i;
            var group = 0;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]) && i - start < 5)
            {
                group = (group << 4) | UriSyntax.HexValue(text[i]);
                i++;
            }
            if (i < text.Length && text[i] == '.')
            {
                // The trailing IPv4 part fills the last two groups and ends the address.
                if (count > 6 || !TryParseIPv4(text[start..], out var v4))
                {
                    return false;
                }
                groups[count++] = (ushort)(v4 >> 16);
                groups[count++] = (ushort)v4;
                break;
            }
            if (i == start || i - start > 4 || count == 8)
            {
                return false;
            }
            groups[count++] = (ushort)group;
            if (i == text.Length)
            {
                break;
            }
            if (text[i] != ':')
            {
                return false;
            }
            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }
                gap = count;
                i++;
                if (i == text.Length)
                {
                    break;
                }
            }
            else if (i == text.Length)
            {
                return false;
            }
        }
        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }
        var tail = count - Math.Max(gap, 0);
        for (var g = 0; g < 8; g++)
        {
            ushort part;
            if (gap < 0 || g < gap)
            {
                part = groups[g];
            }
            else if (g >= 8 - tail)
            {
                part = groups[gap + (g - (8 - tail))];
            }
            else
            {
                part = 0;
            }
            value = (value << 16) | part;
        }
        return true;
    }
}
