namespace SipActors.Sip.Uris;

/// <summary>An absolute URI of a scheme SIP does not interpret (RFC 3261 absoluteURI), kept as text.</summary>
public sealed class OpaqueUri : AddressUri
{
    private OpaqueUri(string scheme, string schemeSpecificPart)
    {
        Scheme = scheme;
        SchemeSpecificPart = schemeSpecificPart;
    }

    public override string Scheme { get; }

    public string SchemeSpecificPart { get; }

    public static new OpaqueUri Parse(ReadOnlySpan<char> text)
    {
        var colon = UriSyntax.SchemeLength(text);
        if (colon <= 0)
        {
            throw UriSyntax.Error(0, "the URI has no scheme");
        }
        var rest = text[(colon + 1)..];
        if (rest.IsEmpty)
        {
            throw UriSyntax.Error(colon + 1, "nothing follows the scheme");
        }
        var bad = rest.IndexOfAny(UriSyntax.Forbidden);
        if (bad >= 0 || rest.IndexOfAnyInRange('\0', '\x1f') is var control and >= 0)
        {
            throw UriSyntax.Error(colon + 1 + Math.Max(bad, 0), "whitespace, quotes, angle brackets or control characters in the URI");
        }
        return new OpaqueUri(text[..colon].ToString().ToLowerInvariant(), rest.ToString());
    }

    public override string ToString() => Scheme + ":" + SchemeSpecificPart;

    public override bool Equals(AddressUri? other)
        => other is OpaqueUri o && o.Scheme == Scheme && string.Equals(o.SchemeSpecificPart, SchemeSpecificPart, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Scheme, SchemeSpecificPart);
}
