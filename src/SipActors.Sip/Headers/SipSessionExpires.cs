using System.Globalization;
using System.Text;
using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>
/// Session-Expires (RFC 4028 §4, compact form <c>x</c>): <c>delta-seconds *(;se-params)</c>, with
/// the <c>refresher</c> parameter naming the side that refreshes. Other parameters are ignored.
/// </summary>
public readonly record struct SipSessionExpires(int Seconds, SipSessionRefresher? Refresher = null)
{
    public TimeSpan Interval => TimeSpan.FromSeconds(Seconds);

    /// <summary>Reads one value; false when it does not start with delta-seconds, or says 0 (a session cannot last no time).</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SipSessionExpires result)
    {
        result = default;
        if (!TryReadDeltaSeconds(value, out var seconds, out var parameters) || seconds == 0)
        {
            return false;
        }
        SipSessionRefresher? refresher = null;
        if (SipParameters.TryGet(parameters, "refresher"u8, out var who))
        {
            if (Ascii.EqualsIgnoreCase(who, "uac"u8))
            {
                refresher = SipSessionRefresher.Uac;
            }
            else if (Ascii.EqualsIgnoreCase(who, "uas"u8))
            {
                refresher = SipSessionRefresher.Uas;
            }
        }
        result = new SipSessionExpires(seconds, refresher);
        return true;
    }

    /// <summary>Reads one value; a malformed one is a <see cref="SipParseException"/>.</summary>
    public static SipSessionExpires Parse(ReadOnlySpan<byte> value)
        => TryParse(value, out var result)
            ? result
            : throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "Session-Expires needs positive delta-seconds", value);

    /// <summary>The message's first Session-Expires; false when it has none or it is malformed (then it is as good as absent).</summary>
    public static bool TryRead(SipMessage message, out SipSessionExpires result)
    {
        ArgumentNullException.ThrowIfNull(message);
        result = default;
        return message.Headers.TryGetValue(SipHeaderId.SessionExpires, out var value) && TryParse(value, out result);
    }

    /// <summary>
    /// Leading delta-seconds (RFC 3261 §25.1), then nothing or parameters: shared with Min-SE, whose
    /// grammar is the same without a refresher. Values past int range are clamped, as for Expires.
    /// </summary>
    internal static bool TryReadDeltaSeconds(ReadOnlySpan<byte> value, out int seconds, out ReadOnlySpan<byte> parameters)
    {
        value = SipSyntax.TrimWhitespace(value);
        var end = value.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        var digits = end < 0 ? value : value[..end];
        parameters = end < 0 ? default : SipSyntax.TrimWhitespace(value[end..]);
        seconds = 0;
        if (digits.IsEmpty || (!parameters.IsEmpty && parameters[0] != SipSyntax.Semicolon))
        {
            return false;
        }
        seconds = long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= int.MaxValue ? (int)n : int.MaxValue;
        return true;
    }

    public override string ToString() => Refresher switch
    {
        SipSessionRefresher.Uac => string.Create(CultureInfo.InvariantCulture, $"{Seconds};refresher=uac"),
        SipSessionRefresher.Uas => string.Create(CultureInfo.InvariantCulture, $"{Seconds};refresher=uas"),
        _ => Seconds.ToString(CultureInfo.InvariantCulture),
    };
}
