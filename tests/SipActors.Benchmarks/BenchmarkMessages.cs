using System.Text;

namespace SipActors.Benchmarks;

/// <summary>The messages a registering account exchanges with Kamailio, byte for byte as on the wire.</summary>
internal static class BenchmarkMessages
{
    public static readonly byte[] RegisterOk = Crlf(
        """
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.f00dfeed01;rport=40001;received=127.0.0.1
        From: "Alice" <sip:user0001@127.0.0.1>;tag=8f3a2b
        To: <sip:user0001@127.0.0.1>;tag=b27e1a1d33761e85846fc98f5f3a7e58.9c1e
        Call-ID: 5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f
        CSeq: 2 REGISTER
        Contact: <sip:user0001@127.0.0.1:40001;transport=udp>;expires=300;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>";reg-id=1
        Server: kamailio (5.6.3 (x86_64/linux))
        Content-Length: 0


        """);

    public static readonly byte[] Unauthorized = Crlf(
        """
        SIP/2.0 401 Unauthorized
        Via: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.a1b2c3d4e5;rport=40001;received=127.0.0.1
        From: "Alice" <sip:user0001@127.0.0.1>;tag=8f3a2b
        To: <sip:user0001@127.0.0.1>;tag=b27e1a1d33761e85846fc98f5f3a7e58.0d0b
        Call-ID: 5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f
        CSeq: 1 REGISTER
        WWW-Authenticate: Digest realm="127.0.0.1", nonce="ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=", qop="auth"
        Server: kamailio (5.6.3 (x86_64/linux))
        Content-Length: 0


        """);

    public static readonly byte[] InviteWithSdp = Crlf(
        """
        INVITE sip:bob@127.0.0.1:40002 SIP/2.0
        Record-Route: <sip:127.0.0.1;lr;r2=on>
        Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.proxy1
        Via: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.c0ffee;rport=40001;received=127.0.0.1
        Max-Forwards: 69
        From: Alice <sip:alice@127.0.0.1>;tag=1928301774
        To: Bob <sip:bob@127.0.0.1>
        Call-ID: a84b4c76e66710@127.0.0.1
        CSeq: 314159 INVITE
        Contact: <sip:alice@127.0.0.1:40001>
        Content-Type: application/sdp
        Content-Length: 132

        v=0
        o=alice 2890844526 2890844526 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio 49170 RTP/AVP 0
        a=rtpmap:0 PCMU/8000

        """);

    private static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n").Replace("\n", "\r\n"));
}
