using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Uris;

/// <summary>
/// An addr-spec of RFC 3261 §25.1: a SIP or SIPS URI, a tel URI (RFC 3966), or any other
/// absolute URI kept opaque (a request to an unknown scheme is valid syntax, answered 416).
/// Immutable; <see cref="object.ToString"/> is the wire form and parses back to an equal URI.
/// </summary>
public abstract class AddressUri : IEquatable<AddressUri>
{
    /// <summary>Lower-case scheme.</summary>
    public abstract string Scheme { get; }

    /// <summary>Parses any absolute URI; throws <see cref="SipParseException"/> with <see cref="SipParseError.InvalidUri"/>.</summary>
    public static AddressUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static AddressUri Parse(ReadOnlySpan<char> text)
    {
        var colon = UriSyntax.SchemeLength(text);
        if (colon <= 0)
        {
            throw UriSyntax.Error(0, "the URI has no scheme");
        }
        var scheme = text[..colon];
        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
        {
            return SipUri.Parse(text);
        }
        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase))
        {
            return TelUri.Parse(text);
        }
        return OpaqueUri.Parse(text);
    }

    /// <summary>Never throws, whatever the input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out AddressUri? uri)
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

    public abstract bool Equals(AddressUri? other);

    public override bool Equals(object? obj) => Equals(obj as AddressUri);

    public abstract override int GetHashCode();

    public abstract override string ToString();
}
