using System.Text;

namespace SipActors.Sip.Tests.TestData;

/// <summary>Realistic messages of a registration exchange and a call, as a SIP server and a UA send them.</summary>
internal static class SampleMessages
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n").Replace("\n", "\r\n"));

    public const string Register =
        """
        REGISTER sip:127.0.0.1 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.a1b2c3d4e5;rport
        Max-Forwards: 70
        From: "Alice Liddell" <sip:alice@127.0.0.1>;tag=8f3a2b
        To: <sip:alice@127.0.0.1>
        Call-ID: 5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f
        CSeq: 1 REGISTER
        Contact: <sip:alice@127.0.0.1:40001;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>";reg-id=1
        Expires: 300
        Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY
        Supported: path, outbound
        User-Agent: SipActors/0.1.0
        Content-Length: 0


        """;

    public const string Unauthorized =
        """
        SIP/2.0 401 Unauthorized
        Via: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.a1b2c3d4e5;rport=40001;received=127.0.0.1
        From: "Alice Liddell" <sip:alice@127.0.0.1>;tag=8f3a2b
        To: <sip:alice@127.0.0.1>;tag=b27e1a1d33761e85846fc98f5f3a7e58.0d0b
        Call-ID: 5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f
        CSeq: 1 REGISTER
        WWW-Authenticate: Digest realm="127.0.0.1", nonce="ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=", qop="auth"
        Server: kamailio (5.6.3 (x86_64/linux))
        Content-Length: 0


        """;

    public const string RegisterOk =
        """
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.f00dfeed01;rport=40001;received=127.0.0.1
        From: "Alice Liddell" <sip:alice@127.0.0.1>;tag=8f3a2b
        To: <sip:alice@127.0.0.1>;tag=b27e1a1d33761e85846fc98f5f3a7e58.9c1e
        Call-ID: 5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f
        CSeq: 2 REGISTER
        Contact: <sip:alice@127.0.0.1:40001;transport=udp>;expires=300;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>";reg-id=1, <sip:alice@10.0.0.7:5062>;expires=122
        Server: kamailio (5.6.3 (x86_64/linux))
        Content-Length: 0


        """;

    public const string Invite =
        """
        INVITE sip:bob@127.0.0.1 SIP/2.0
        Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK.proxy1
        Via: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bK.c0ffee;rport=40002;received=127.0.0.1
        Record-Route: <sip:127.0.0.1;lr;r2=on>, <sip:127.0.0.1:5060;transport=tcp;lr;r2=on>
        Max-Forwards: 69
        From: Alice <sip:alice@127.0.0.1>;tag=1928301774
        To: Bob <sip:bob@127.0.0.1>
        Call-ID: a84b4c76e66710@127.0.0.1
        CSeq: 314159 INVITE
        Contact: <sip:alice@127.0.0.1:40002>
        Content-Type: application/sdp
        Content-Length: 132

        v=0
        o=alice 2890844526 2890844526 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio 49170 RTP/AVP 0
        a=rtpmap:0 PCMU/8000

        """;
}
