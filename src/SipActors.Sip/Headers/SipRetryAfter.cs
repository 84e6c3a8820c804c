using System.Globalization;
using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>Retry-After (RFC 3261 §20.33): <c>delta-seconds [comment] *(;param)</c>, with the optional <c>duration</c>.</summary>
public readonly record struct SipRetryAfter(int Seconds, int? Duration)
{
    public TimeSpan Delay => TimeSpan.FromSeconds(Seconds);

    public static SipRetryAfter Parse(ReadOnlySpan<byte> value)
    {
        value = SipSyntax.TrimWhitespace(value);
        var end = value.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        var digits = end < 0 ? value : value[..end];
        if (digits.IsEmpty || digits.Length > 9)
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "Retry-After needs delta-seconds", value);
        }
        var seconds = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        int? duration = null;
        var semi = value.IndexOf(SipSyntax.Semicolon);
        if (semi >= 0 && SipParameters.TryGet(value[semi..], "duration"u8, out var d)
            && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            duration = parsed;
        }
        return new SipRetryAfter(seconds, duration);
    }
}
