using SipActors.Sip.Headers;
using SipActors.Sip.Parsing;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Conformance;

/// <summary>RFC 4475 messages that a parser must accept, with the fields the RFC names.</summary>
public class Rfc4475ValidMessageTests
{
    /// <summary>Valid syntax, including the §3.2–3.4 messages whose problems are for a UA or proxy to act on, not the parser.</summary>
    public static TheoryData<string> Valid => new()
    {
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
        "mpart01", "unreason", "noreason", "baddate", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "bcast",
        "zeromf", "cparam01", "cparam02", "regescrt", "inv2543",
    };

    private static SipMessage Parse(string name) => SipMessage.Parse(Rfc4475Messages.Get(name));

    [Theory]
    [MemberData(nameof(Valid))]
    public void Should_parse_validate_and_round_trip(string name)
    {
        var message = Parse(name);

        message.Validate();
        var again = SipMessage.Parse(message.ToArray());
        Assert.Equal(message, again);
        again.Validate();
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Should_frame_the_same_message_from_one_byte_segments(string name)
    {
        var datagram = Parse(name);
        // Serialized first: on a stream the head must carry the body's length, which inv2543 lacks.
        var bytes = datagram.ToArray();
        var buffer = SegmentedSequence.Create(bytes, 1);

        Assert.Equal(SipFrameKind.Message, new SipStreamFramer().TryRead(ref buffer, out var framed));
        Assert.Equal(datagram, framed);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Should_read_the_short_tortuous_invite()
    {
        var request = Assert.IsType<SipRequest>(Parse("wsinv"));

        Assert.Equal(SipMethod.Invite, request.Method);
        Assert.Equal("sip:vivekg@chair-dnrc.example.com;unknownparam", request.RequestUriText);
        Assert.True(((SipUri)request.RequestUri).HasParameter("unknownparam"));
        Assert.Equal(("sip:vivekg@chair-dnrc.example.com", "1918181833n"), (request.To!.UriText, request.To.Tag));
        Assert.Equal(("J Rosenberg \\\"", "98asjd8"), (request.From!.DisplayName, request.From.Tag));
        Assert.Equal(68, request.MaxForwards);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", request.CallId);
        Assert.Equal(new SipCSeq(9, SipMethod.Invite), request.CSeq);
        Assert.Equal(
            [("UDP", "192.0.2.2", "390skdjuw"), ("TCP", "spindle.example.com", "z9hG4bK9ikj8"), ("UDP", "192.168.255.111", "z9hG4bK30239")],
            request.Vias.Select(v => (v.Transport, v.Host, v.Branch)));
        var contact = Assert.Single(request.Contacts);
        Assert.Equal(("Quoted string \"\"", "newvalue", "0.33"), (contact.DisplayName, contact.GetParameter("newparam"), contact.GetParameter("q")));
        Assert.True(contact.HasParameter("secondparam"));
        Assert.Equal("", request.Headers.GetFirst("Subject"));
        Assert.Equal("newfangled value   continued newfangled value", request.Headers.GetFirst("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", request.Headers.GetFirst("UnknownHeaderWithUnusualValue"));
        Assert.Equal("sip:services.example.com;lr;unknownwith=value;unknown-no-value", Assert.Single(request.Routes).UriText);
        Assert.Equal(request.ContentLength, request.Body.Length);
    }

    [Fact]
    public void Should_accept_the_wide_range_of_valid_characters()
    {
        var request = Assert.IsType<SipRequest>(Parse("intmeth"));

        Assert.Equal(SipMethod.Unknown, request.Method);
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", request.MethodName);
        var uri = Assert.IsType<SipUri>(request.RequestUri);
        Assert.Equal(("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"), (uri.User, uri.Password));
        Assert.Equal("BEL:\a NUL:\0 DEL:\x7f", request.To!.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", request.From!.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", request.From.Tag);
        Assert.Equal("\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439", request.From.GetParameter("fromParam''~+*_!.-%"));
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", request.CallId);
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", request.CSeq!.Value.MethodName);
        Assert.Equal("z9hG4bK-.!%66*_+`'~", request.TopVia!.Branch);
        Assert.Equal("\uFEFF\u5927\u505C\u96FB", request.Headers.GetFirst("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void Should_unescape_what_is_escaped_and_nothing_else()
    {
        var esc01 = Assert.IsType<SipRequest>(Parse("esc01"));
        var escnull = Parse("escnull");
        var esc02 = Assert.IsType<SipRequest>(Parse("esc02"));

        Assert.Equal("sips:user@example.com", ((SipUri)esc01.RequestUri).User);
        Assert.Equal(SipUri.Parse("sip:user@example.com"), esc01.To!.Uri);
        Assert.Equal("I have spaces", ((SipUri)esc01.From!.Uri).User);
        var contact = (SipUri)esc01.Contacts[0].Uri;
        Assert.Equal(("caller", true, "value%41"), (contact.User, contact.LooseRouting, contact.GetParameter("name")));
        Assert.Equal("application/sdp", esc01.ContentType);

        Assert.Equal("null-\0-null", ((SipUri)escnull.To!.Uri).User);
        Assert.Equal(["\0", "\0\0"], escnull.Contacts.Select(c => ((SipUri)c.Uri).User));

        // RE%47IST%45R is a method of its own, not REGISTER; C%6Fntact is a header of its own, not Contact.
        Assert.Equal((SipMethod.Unknown, "RE%47IST%45R"), (esc02.Method, esc02.MethodName));
        Assert.Equal("%Z%45", esc02.To!.DisplayName);
        Assert.Equal(2, esc02.Contacts.Count);
        Assert.Equal("<sip:alias2@host2.example.com>", esc02.Headers.GetFirst("C%6Fntact"));
    }

    [Fact]
    public void Should_read_the_remaining_valid_cases()
    {
        Assert.Equal("caller", Parse("lwsdisp").From!.DisplayName);

        var longreq = Parse("longreq");
        Assert.Equal(10, longreq.Vias.Count);
        Assert.StartsWith("I have a user name of extreme", longreq.To!.DisplayName, StringComparison.Ordinal);

        // dblreq: the datagram holds a REGISTER and then an INVITE; the INVITE is ignored (RFC 3261 §18.3).
        var dblreq = Assert.IsType<SipRequest>(Parse("dblreq"));
        Assert.Equal((SipMethod.Register, 0), (dblreq.Method, dblreq.Body.Length));

        var semiuri = (SipUri)((SipRequest)Parse("semiuri")).RequestUri;
        Assert.Equal(("user;par=u@example.net", "example.com"), (semiuri.User, semiuri.Host));
        Assert.Equal(6, Parse("semiuri").Headers.GetValues(SipHeaderId.Accept).Count);

        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], Parse("transports").Vias.Select(v => v.Transport));

        var mpart = Parse("mpart01");
        Assert.Contains((byte)0xFF, mpart.Body.ToArray());
        Assert.Equal(mpart.ContentLength, mpart.Body.Length);

        var unreason = Assert.IsType<SipResponse>(Parse("unreason"));
        Assert.Equal(200, unreason.StatusCode);
        Assert.StartsWith("= 2**3 * 5**2 \u043d\u043e", unreason.ReasonPhrase, StringComparison.Ordinal);

        var noreason = Assert.IsType<SipResponse>(Parse("noreason"));
        Assert.Equal((100, ""), (noreason.StatusCode, noreason.ReasonPhrase));
    }

    [Fact]
    public void Should_leave_application_semantics_to_the_user_agent()
    {
        // §3.3.2/3: a UA answers 416 to schemes it does not know; the parser keeps them as opaque URIs.
        Assert.Equal("nobodyknowsthisscheme", ((SipRequest)Parse("unkscm")).RequestUri.Scheme);
        Assert.Equal("soap.beep", ((SipRequest)Parse("novelsc")).RequestUri.Scheme);
        var unksm2 = Parse("unksm2");
        Assert.Equal(("isbn", "http", "name"), (unksm2.To!.Uri.Scheme, unksm2.From!.Uri.Scheme, unksm2.Contacts[0].Uri.Scheme));
        // §3.3.5: Require/Proxy-Require are read; refusing with 420 is the UA's call.
        Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], Parse("bext01").Headers.GetValues(SipHeaderId.Require));
        Assert.Equal("255.255.255.255", Parse("bcast").Vias[1].Host);
        Assert.Equal(0, Parse("zeromf").MaxForwards);
        // §3.3.12/13: a parameter after a bare URI is the header's; inside <> it is the URI's.
        var cparam01 = Parse("cparam01").Contacts[0];
        Assert.Equal(("sip:+19725552222@gw1.example.net", true), (cparam01.UriText, cparam01.HasParameter("unknownparam")));
        var cparam02 = Parse("cparam02").Contacts[0];
        Assert.Equal((false, true), (cparam02.HasParameter("unknownparam"), ((SipUri)cparam02.Uri).HasParameter("unknownparam")));
        Assert.Equal("<sip:sip.example.com>", ((SipUri)Parse("regescrt").Contacts[0].Uri).Headers[0].Value);
        // §3.4.1: RFC 2543 style, no From tag and no branch cookie.
        var inv2543 = Parse("inv2543");
        Assert.Null(inv2543.From!.Tag);
        Assert.Null(inv2543.TopVia!.Branch);
        Assert.Equal("phone", inv2543.To!.GetParameter("user"));
        // §3.1.2.12: we do not use Date, so a non-GMT zone is no reason to refuse (RFC 4475 lets an element that does not care proceed).
        Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", Parse("baddate").Headers.GetFirst(SipHeaderId.Date));
        Assert.Equal("z9hG4bK", Parse("badbranch").TopVia!.Branch);
    }
}
