using System.Globalization;

namespace SipActors.Sip.Headers;

/// <summary>
/// Min-SE (RFC 4028 §5): <c>delta-seconds *(;generic-param)</c>, the shortest session interval an
/// element on the path accepts. Carried in requests and in 422 (Session Interval Too Small).
/// </summary>
public readonly record struct SipMinSE(int Seconds)
{
    /// <summary>Reads one value; false when it does not start with delta-seconds.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SipMinSE result)
    {
        var ok = SipSessionExpires.TryReadDeltaSeconds(value, out var seconds, out _);
        result = new SipMinSE(seconds);
        return ok;
    }

    /// <summary>The message's first Min-SE; false when it has none or it is malformed.</summary>
    public static bool TryRead(SipMessage message, out SipMinSE result)
    {
        ArgumentNullException.ThrowIfNull(message);
        result = default;
        return message.Headers.TryGetValue(SipHeaderId.MinSE, out var value) && TryParse(value, out result);
    }

    public override string ToString() => Seconds.ToString(CultureInfo.InvariantCulture);
}
