using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Uris;

/// <summary>
/// An addr-spec of RFC 3261 §25.1: a SIP or SIPS URI (<see cref="SipUri"/>), a tel URI
/// (<see cref="TelUri"/>, RFC 3966), or any other absolute URI kept opaque (<see cref="OpaqueUri"/>).
/// Immutable; <see cref="object.ToString"/> is the wire form and parses back to an equal URI.
/// </summary>
public abstract class AddressUri : IEquatable<AddressUri>
{
    private protected AddressUri()
    {
    }

    /// <summary>Lower-case scheme.</summary>
    public abstract string Scheme { get; }

    /// <summary>
    /// Parses any absolute URI, choosing the type by scheme (case-insensitive): sip and sips give a
    /// <see cref="SipUri"/>, tel a <see cref="TelUri"/>, anything else an <see cref="OpaqueUri"/>.
    /// </summary>
    /// <exception cref="SipParseException">Malformed; <see cref="SipParseException.Reason"/> is <see cref="SipParseError.InvalidUri"/>
    /// and <see cref="SipParseException.Offset"/> the character offset of the problem. Its message never holds a password.</exception>
    public static AddressUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static AddressUri Parse(ReadOnlySpan<char> text)
        => ParseAny(text, out var failure) ?? throw UriSyntax.CreateException(text, failure);

    /// <summary>Like <see cref="Parse(ReadOnlySpan{char})"/>, but returns false instead of throwing, whatever the input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out AddressUri? uri)
    {
        uri = ParseAny(text, out _);
        return uri is not null;
    }

    private static AddressUri? ParseAny(ReadOnlySpan<char> text, out UriFailure failure)
    {
        var colon = UriSyntax.SchemeLength(text, out failure);
        if (colon < 0)
        {
            return null;
        }
        var scheme = text[..colon];
        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
        {
            return SipUri.ParseCore(text, out failure);
        }
        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase))
        {
            return TelUri.ParseCore(text, out failure);
        }
        return OpaqueUri.ParseCore(text, out failure);
    }

    /// <summary>Equality by the rules of the URI's scheme; URIs of different types are never equal.</summary>
    public abstract bool Equals(AddressUri? other);

    public override bool Equals(object? obj) => Equals(obj as AddressUri);

    public abstract override int GetHashCode();

    /// <summary>The wire form.</summary>
    public abstract override string ToString();
}
