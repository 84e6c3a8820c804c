using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Uris;

/// <summary>
/// An absolute URI of a scheme SIP does not interpret (RFC 3261 absoluteURI), kept as written after
/// the scheme. RFC 4475 §3.3.2 to §3.3.4 (unkscm, novelsc, unksm2): such URIs are valid syntax; what
/// to do with them is the application's call (a Request-URI of one is answered 416).
/// </summary>
public sealed class OpaqueUri : AddressUri
{
    private string? _text;

    /// <summary>Builds an opaque URI.</summary>
    /// <exception cref="ArgumentException">The scheme is not RFC 3986 scheme syntax or the rest has characters a URI cannot hold.</exception>
    public OpaqueUri(string scheme, string schemeSpecificPart)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentException.ThrowIfNullOrEmpty(schemeSpecificPart);
        if (UriSyntax.SchemeLength(scheme + ":", out _) != scheme.Length)
        {
            throw new ArgumentException($"'{scheme}' is not a URI scheme.", nameof(scheme));
        }
        if (ValidateSchemeSpecificPart(schemeSpecificPart, out var detail) >= 0)
        {
            throw new ArgumentException($"Not a scheme-specific part: {detail}.", nameof(schemeSpecificPart));
        }
        Scheme = UriSyntax.ToLower(scheme);
        SchemeSpecificPart = schemeSpecificPart;
    }

    private OpaqueUri(string scheme, string schemeSpecificPart, bool _)
    {
        Scheme = scheme;
        SchemeSpecificPart = schemeSpecificPart;
    }

    /// <summary>Lower-case scheme.</summary>
    public override string Scheme { get; }

    /// <summary>Everything after the scheme's ':', as written (escapes kept).</summary>
    public string SchemeSpecificPart { get; }

    /// <summary>Parses any absolute URI without interpreting it; throws <see cref="SipParseException"/> with <see cref="SipParseError.InvalidUri"/>.</summary>
    public static new OpaqueUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static new OpaqueUri Parse(ReadOnlySpan<char> text)
        => ParseCore(text, out var failure) ?? throw UriSyntax.CreateException(text, failure);

    /// <summary>Parses any absolute URI without interpreting it; never throws, whatever the input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out OpaqueUri? uri)
    {
        uri = ParseCore(text, out _);
        return uri is not null;
    }

    internal static OpaqueUri? ParseCore(ReadOnlySpan<char> text, out UriFailure failure)
    {
        var colon = UriSyntax.SchemeLength(text, out failure);
        if (colon < 0)
        {
            return null;
        }
        var rest = text[(colon + 1)..];
        var bad = ValidateSchemeSpecificPart(rest, out var detail);
        if (bad >= 0)
        {
            failure = new UriFailure(colon + 1 + bad, detail!);
            return null;
        }
        return new OpaqueUri(UriSyntax.ToLower(text[..colon]), new string(rest), true);
    }

    /// <summary>Non-empty, RFC 3986 characters only, every '%' starting a valid escape.</summary>
    private static int ValidateSchemeSpecificPart(ReadOnlySpan<char> text, out string? detail)
    {
        if (text.IsEmpty)
        {
            detail = "nothing follows the scheme";
            return 0;
        }
        var i = text.IndexOfAnyExcept(UriSyntax.OpaqueChars);
        while (i >= 0)
        {
            if (text[i] != '%')
            {
                detail = UriSyntax.Problem(text, i, "URI");
                return i;
            }
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                detail = UriSyntax.Problem(text, i, "URI");
                return i;
            }
            var next = text[(i + 3)..].IndexOfAnyExcept(UriSyntax.OpaqueChars);
            i = next < 0 ? -1 : i + 3 + next;
        }
        detail = null;
        return -1;
    }

    /// <summary>The URI as written, with the scheme lower-cased.</summary>
    public override string ToString() => _text ??= Scheme + ":" + SchemeSpecificPart;

    /// <summary>Same scheme and the same scheme-specific part, character for character.</summary>
    public override bool Equals(AddressUri? other)
        => other is OpaqueUri o && string.Equals(o.Scheme, Scheme, StringComparison.Ordinal)
            && string.Equals(o.SchemeSpecificPart, SchemeSpecificPart, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Scheme, SchemeSpecificPart);
}
