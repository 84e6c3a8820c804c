using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>
/// One From, To, Contact, Route, Record-Route, Path or Service-Route value read in place
/// (RFC 3261 §20.10, §25.1): <c>["Display" ]&lt;uri&gt;;params</c> or a bare <c>uri;params</c>,
/// where the parameters after a bare URI belong to the header, not the URI.
/// </summary>
public readonly ref struct NameAddressValue
{
    /// <summary>As written: still quoted when it was a quoted-string; empty when absent.</summary>
    public ReadOnlySpan<byte> DisplayName { get; init; }
    public ReadOnlySpan<byte> Uri { get; init; }
    /// <summary>The header parameters, starting at the first ';' (empty when none).</summary>
    public ReadOnlySpan<byte> Parameters { get; init; }
    /// <summary>True for the Contact wildcard <c>*</c>.</summary>
    public bool IsWildcard { get; init; }

    public ReadOnlySpan<byte> Tag => SipParameters.TryGet(Parameters, "tag"u8, out var v) ? v : default;

    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) => SipParameters.TryGet(Parameters, name, out value);

    /// <summary>Reads one value; false when it does not follow the grammar (unbalanced quotes or brackets, no URI, junk around the brackets).</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out NameAddressValue result)
    {
        result = default;
        value = SipSyntax.TrimWhitespace(value);
        if (value.IsEmpty)
        {
            return false;
        }
        if (value.Length == 1 && value[0] == (byte)'*')
        {
            result = new NameAddressValue { IsWildcard = true };
            return true;
        }

        int open;
        ReadOnlySpan<byte> display = default;
        if (value[0] == SipSyntax.Quote)
        {
            var after = SipParameters.SkipQuoted(value, 0);
            if (after < 0)
            {
                return false;
            }
            display = value[..after];
            var next = value[after..].IndexOfAnyExcept(SipSyntax.Whitespace);
            if (next < 0 || value[after + next] != SipSyntax.LAngle)
            {
                return false;
            }
            open = after + next;
        }
        else
        {
            open = value.IndexOf(SipSyntax.LAngle);
            var semi = value.IndexOf(SipSyntax.Semicolon);
            if (open < 0 || (semi >= 0 && semi < open))
            {
                return TryParseAddrSpec(value, out result);
            }
            display = SipSyntax.TrimWhitespace(value[..open]);
            if (!IsTokenSequence(display))
            {
                return false;
            }
        }

        var close = value[open..].IndexOf(SipSyntax.RAngle);
        if (close < 0)
        {
            return false;
        }
        close += open;
        var uri = value[(open + 1)..close];
        if (uri.IsEmpty || uri.ContainsAny(SipSyntax.Whitespace) || uri.Contains(SipSyntax.LAngle))
        {
            return false;
        }
        var parameters = SipSyntax.TrimWhitespace(value[(close + 1)..]);
        if (!parameters.IsEmpty && parameters[0] != SipSyntax.Semicolon)
        {
            return false;
        }
        result = new NameAddressValue { DisplayName = display, Uri = uri, Parameters = parameters };
        return true;
    }

    private static bool TryParseAddrSpec(ReadOnlySpan<byte> value, out NameAddressValue result)
    {
        result = default;
        var semi = value.IndexOf(SipSyntax.Semicolon);
        var uri = SipSyntax.TrimWhitespace(semi < 0 ? value : value[..semi]);
        // RFC 3261 §20: a URI holding ',', '?' or ';' must be in <> (RFC 4475 §3.1.2.13); ';' already ended it.
        if (uri.IsEmpty || uri.ContainsAny(SipSyntax.Whitespace) || uri.Contains(SipSyntax.RAngle) || uri.Contains(SipSyntax.Quote)
            || uri.Contains((byte)'?') || uri.Contains(SipSyntax.Comma) || uri.IndexOf(SipSyntax.Colon) <= 0)
        {
            return false;
        }
        result = new NameAddressValue { Uri = uri, Parameters = semi < 0 ? default : value[semi..] };
        return true;
    }

    /// <summary>display-name = *(token LWS); UTF-8 bytes are tolerated because real user agents send them unquoted.</summary>
    private static bool IsTokenSequence(ReadOnlySpan<byte> display)
    {
        foreach (var c in display)
        {
            if (c < 0x80 && c is not (SipSyntax.SP or SipSyntax.HT) && !SipSyntax.Token.Contains(c))
            {
                return false;
            }
        }
        return true;
    }
}
