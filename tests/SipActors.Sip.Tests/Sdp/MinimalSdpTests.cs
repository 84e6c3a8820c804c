using System.Net;
using System.Text;
using SipActors.Sip.Sdp;

namespace SipActors.Sip.Tests.Sdp;

public class MinimalSdpTests
{
    [Fact]
    public void Offer_is_one_inactive_audio_stream_on_the_given_address()
    {
        var sdp = MinimalSdp.Offer(IPAddress.Parse("192.0.2.7"));

        Assert.StartsWith("v=0\r\no=- ", sdp, StringComparison.Ordinal);
        Assert.Contains("c=IN IP4 192.0.2.7\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains("m=audio 9 RTP/AVP 0 8\r\na=inactive\r\n", sdp, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", sdp, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_mirrors_each_offered_stream_in_order_with_its_first_format()
    {
        const string offer = "v=0\r\no=alice 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "m=video 0 RTP/AVP 96\r\n"
            + "m=video 5000 RTP/AVP 97 96\r\n";

        var answer = MinimalSdp.Answer(Encoding.ASCII.GetBytes(offer), IPAddress.IPv6Loopback);

        var mLines = answer.Split("\r\n").Where(l => l.StartsWith("m=", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["m=audio 9 RTP/AVP 8", "m=video 0 RTP/AVP 96", "m=video 9 RTP/AVP 97"], mLines);
        Assert.Contains("c=IN IP6 ::1\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(2, answer.Split("a=inactive").Length - 1);
    }

    [Fact]
    public void Answer_to_an_INVITE_without_SDP_is_an_offer()
    {
        var answer = MinimalSdp.Answer(default, IPAddress.Loopback);

        Assert.Contains("m=audio 9 RTP/AVP 0 8\r\n", answer, StringComparison.Ordinal);
    }
}
