namespace SipActors.Sip.Tests.Uris;

/// <summary>Valid URIs shared by the round-trip theories and used as seeds by the random-input tests.</summary>
internal static class UriSamples
{
    public static readonly string[] Sip =
    [
        "sip:alice@atlanta.com",
        "sip:alice:secretword@atlanta.com;transport=tcp",
        "sips:alice@atlanta.com?subject=project%20x&priority=urgent",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone",
        "sips:1212@gateway.com",
        "sip:alice@192.0.2.4",
        "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
        "sip:alice;day=tuesday@atlanta.com",
        "sip:[2001:db8::10]:5070",
        "sip:user@[::1];transport=ws",
        "sip:[2001:db8::10:5070]",
        "sip:user@[2001:db8::192.0.2.1]",
        "sip:[::ffff:192.0.2.10]:5060",
        "sip:[2001:DB8::A]",
        "sip:example.com:65535;maddr=[2001:db8::20];ttl=15",
        "sip:sips%3Auser%40example.com@example.net",
        "sip:%75se%72@example.com",
        "sip:I%20have%20spaces@example.net",
        "sip:null-%00-null@example.com",
        "sip:%00%00@host5.example.com",
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
        "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
        "sip:vivekg@chair-dnrc.example.com;unknownparam",
        "sip:services.example.com;lr;unknownwith=value;unknown-no-value",
        "sip:user;par=u%40example.net@example.com",
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
        "SIP:Bob@Example.COM:5061",
        "sip:alice:@atlanta.com:0",
        "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
        "sip:%E2%82%ACuro@example.com",
        "sip:%FF%C3@example.com;x=%80",
        "sip:10.0.0.1;lr;x=;lr=on",
        "sip:host_name.example.com.",
        "sip:localhost?h=&a=b?c",
    ];

    public static readonly string[] Tel =
    [
        "tel:+358-555-1234567;postd=pp22",
        "tel:+1-201-555-0123",
        "tel:7042;phone-context=example.com",
        "tel:863-1234;phone-context=+1-914-555",
        "tel:*97%23;phone-context=example.com",
        "tel:+1(201)555.0123;ext=12;isub=a%20b@c",
        "tel:1234",
    ];

    public static readonly string[] Opaque =
    [
        "nobodyknowsthisscheme:totallyopaqueschemedata",
        "soap.beep://192.0.2.103:3002",
        "isbn:2983792873",
        "http://www.example.com",
        "name:John_Smith",
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "HTTP://user:pw@Example.com/a%20b?q=1#frag",
    ];

    public static TheoryData<string> SipTheory() => new(Sip);

    public static TheoryData<string> TelTheory() => new(Tel);

    public static TheoryData<string> OpaqueTheory() => new(Opaque);
}
