using System.Text;

namespace SipActors.Sip.Headers;

/// <summary>Option tags (RFC 3261 §19.2) in Supported, Require, Proxy-Require and Unsupported.</summary>
public static class SipOptionTags
{
    /// <summary>Session timers (RFC 4028).</summary>
    public const string Timer = "timer";

    /// <summary>
    /// True when one of the <paramref name="header"/> lines of <paramref name="message"/> lists
    /// <paramref name="tag"/>. Compared without regard to case: peers differ, and no two registered tags differ only by case.
    /// </summary>
    public static bool Contains(SipMessage message, SipHeaderId header, string tag)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        Span<byte> wanted = stackalloc byte[64];
        if (tag.Length > wanted.Length || !Ascii.IsValid(tag))
        {
            return false;
        }
        wanted = wanted[..Encoding.ASCII.GetBytes(tag, wanted)];
        foreach (var value in message.Headers.EnumerateValues(header))
        {
            if (Ascii.EqualsIgnoreCase(value, wanted))
            {
                return true;
            }
        }
        return false;
    }
}
