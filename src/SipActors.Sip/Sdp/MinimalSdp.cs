using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SipActors.Sip.Sdp;

/// <summary>
/// The SDP SipActors sends when the user gives none. SipActors carries SDP and plays no media, so
/// every stream says so: <c>a=inactive</c> on the discard port 9 (RFC 3264 §5.1 lets an offer or
/// answer mark a stream inactive; the port still has to be non-zero to keep the stream).
/// </summary>
public static class MinimalSdp
{
    /// <summary>An offer of one inactive audio stream (PCMU, PCMA).</summary>
    public static string Offer(IPAddress? address)
    {
        var builder = Start(address);
        builder.Append("m=audio 9 RTP/AVP 0 8\r\n");
        builder.Append("a=inactive\r\n");
        return builder.ToString();
    }

    /// <summary>
    /// An answer to <paramref name="offer"/> (RFC 3264 §6): one m-line per offered stream, in the
    /// same order, each taking the stream's first format and marked inactive; a stream the offer
    /// disabled (port 0) stays disabled. With no usable offer (an INVITE without a body), the
    /// answer is <see cref="Offer"/>: our 2xx then carries the offer.
    /// </summary>
    public static string Answer(ReadOnlySpan<byte> offer, IPAddress? address)
    {
        var builder = Start(address);
        var streams = 0;
        var text = Encoding.UTF8.GetString(offer);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (!line.StartsWith("m=", StringComparison.Ordinal))
            {
                continue;
            }
            // m=<media> <port>[/<count>] <proto> <fmt> ...
            var fields = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                continue;
            }
            var disabled = fields[1] == "0";
            builder.Append("m=").Append(fields[0]).Append(disabled ? " 0 " : " 9 ").Append(fields[2]).Append(' ').Append(fields[3]).Append("\r\n");
            if (!disabled)
            {
                builder.Append("a=inactive\r\n");
            }
            streams++;
        }
        return streams == 0 ? Offer(address) : builder.ToString();
    }

    private static StringBuilder Start(IPAddress? address)
    {
        address ??= IPAddress.Any;
        var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var version = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var builder = new StringBuilder(160);
        builder.Append("v=0\r\n");
        builder.Append("o=- ").Append(version).Append(' ').Append(version).Append(" IN ").Append(family).Append(' ').Append(address).Append("\r\n");
        builder.Append("s=-\r\n");
        builder.Append("c=IN ").Append(family).Append(' ').Append(address).Append("\r\n");
        builder.Append("t=0 0\r\n");
        return builder;
    }
}
