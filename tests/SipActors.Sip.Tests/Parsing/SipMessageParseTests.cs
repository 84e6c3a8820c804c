using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Parsing;

public class SipMessageParseTests
{
    [Fact]
    public void Should_parse_a_register_request_with_its_fields()
    {
        var request = Assert.IsType<SipRequest>(SipMessage.Parse(SampleMessages.Bytes(SampleMessages.Register)));

        Assert.Equal(SipMethod.Register, request.Method);
        Assert.Equal("REGISTER", request.MethodName);
        Assert.Equal("sip:127.0.0.1", request.RequestUriText);
        Assert.Equal("5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f", request.CallId);
        Assert.Equal(new SipCSeq(1, SipMethod.Register), request.CSeq);
        Assert.Equal(70, request.MaxForwards);
        Assert.Equal(300, request.Expires);
        Assert.Equal("Alice Liddell", request.From!.DisplayName);
        Assert.Equal("sip:alice@127.0.0.1", request.From.UriText);
        Assert.Equal("8f3a2b", request.From.Tag);
        Assert.Null(request.To!.Tag);
        var via = Assert.Single(request.Vias);
        Assert.Equal("UDP", via.Transport);
        Assert.Equal("127.0.0.1", via.Host);
        Assert.Equal(40001, via.Port);
        Assert.Equal("z9hG4bK.a1b2c3d4e5", via.Branch);
        Assert.True(via.HasRPort);
        Assert.Null(via.RPort);
        var contact = Assert.Single(request.Contacts);
        Assert.Equal("sip:alice@127.0.0.1:40001;transport=udp", contact.UriText);
        Assert.Equal("<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>", contact.GetParameter("+sip.instance"));
        Assert.Equal("1", contact.GetParameter("reg-id"));
        Assert.Equal(["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "MESSAGE", "NOTIFY"], request.Allow);
        Assert.Equal(["path", "outbound"], request.Supported);
        Assert.Equal("SipActors/0.1.0", request.UserAgent);
        Assert.Equal(0, request.ContentLength);
        Assert.True(request.Body.IsEmpty);
        request.Validate();
    }

    [Fact]
    public void Should_parse_a_challenge_with_received_and_rport_filled_in()
    {
        var response = Assert.IsType<SipResponse>(SipMessage.Parse(SampleMessages.Bytes(SampleMessages.Unauthorized)));

        Assert.Equal(401, response.StatusCode);
        Assert.Equal("Unauthorized", response.ReasonPhrase);
        Assert.Equal(40001, response.TopVia!.RPort);
        Assert.Equal("127.0.0.1", response.TopVia.Received);
        Assert.Equal("b27e1a1d33761e85846fc98f5f3a7e58.0d0b", response.To!.Tag);
        var challenge = Assert.Single(response.WwwAuthenticate);
        Assert.Equal("Digest realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", qop=\"auth\"", challenge);
        response.Validate();
    }

    [Fact]
    public void Should_read_several_contacts_from_one_line_with_their_expires()
    {
        var response = SipMessage.Parse(SampleMessages.Bytes(SampleMessages.RegisterOk));

        Assert.Collection(response.Contacts,
            c => Assert.Equal((300, "sip:alice@127.0.0.1:40001;transport=udp"), (c.Expires!.Value, c.UriText)),
            c => Assert.Equal((122, "sip:alice@10.0.0.7:5062"), (c.Expires!.Value, c.UriText)));
    }

    [Fact]
    public void Should_parse_an_invite_with_its_body_and_route_set()
    {
        var request = Assert.IsType<SipRequest>(SipMessage.Parse(SampleMessages.Bytes(SampleMessages.Invite)));

        Assert.Equal(SipMethod.Invite, request.Method);
        Assert.Equal(2, request.Vias.Count);
        Assert.Equal("TCP", request.Vias[0].Transport);
        Assert.Equal(2, request.RecordRoutes.Count);
        Assert.EndsWith(";lr;r2=on", request.RecordRoutes[0].UriText, StringComparison.Ordinal);
        Assert.Equal("application/sdp", request.ContentType);
        Assert.Equal(132, request.Body.Length);
        Assert.StartsWith("v=0\r\n", Encoding.ASCII.GetString(request.Body.Span), StringComparison.Ordinal);
        Assert.EndsWith("PCMU/8000\r\n", Encoding.ASCII.GetString(request.Body.Span), StringComparison.Ordinal);
        request.Validate();
    }

    [Fact]
    public void Should_treat_compact_forms_and_any_case_as_the_long_names()
    {
        var text = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\n"
            + "f: <sip:a@127.0.0.1>;tag=1\r\nt: <sip:bob@127.0.0.1>\r\ni: compact-1\r\nCSEQ: 7 OPTIONS\r\n"
            + "m: <sip:a@127.0.0.1:5062>\r\nk: path\r\nl: 0\r\n\r\n";

        var message = SipMessage.Parse(Encoding.ASCII.GetBytes(text));

        Assert.Equal("compact-1", message.CallId);
        Assert.Equal("1", message.From!.Tag);
        Assert.Equal("sip:bob@127.0.0.1", message.To!.UriText);
        Assert.Equal(7u, message.CSeq!.Value.Number);
        Assert.Equal("z9hG4bK1", message.TopVia!.Branch);
        Assert.Equal(["path"], message.Supported);
        Assert.Equal(["compact-1"], message.Headers.GetValues("Call-Id"));
        Assert.Equal(["compact-1"], message.Headers.GetValues("I"));
        message.Validate();
    }

    [Fact]
    public void Should_join_folded_lines_and_read_values_split_across_lines()
    {
        var text = "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1,\r\n SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK2\r\n"
            + "Via: SIP/2.0/TCP 127.0.0.3;branch=z9hG4bK3\r\n"
            + "Subject: a long\r\n\t subject\r\n"
            + "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

        var message = SipMessage.Parse(Encoding.ASCII.GetBytes(text));

        Assert.Equal(["z9hG4bK1", "z9hG4bK2", "z9hG4bK3"], message.Vias.Select(v => v.Branch));
        Assert.Equal(2, message.Headers.CountLines(SipHeaderId.Via));
        Assert.Equal("a long  \t subject", message.Headers.GetFirst("subject"));
    }

    [Fact]
    public void Should_keep_quoted_commas_and_bracketed_commas_inside_one_value()
    {
        var text = "SIP/2.0 200 OK\r\nContact: \"Smith, John\" <sip:j@h;x=a,b>;q=0.5, <sip:k@h>\r\n"
            + "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\nVia: SIP/2.0/UDP h\r\n\r\n";

        var contacts = SipMessage.Parse(Encoding.ASCII.GetBytes(text)).Contacts;

        Assert.Equal(2, contacts.Count);
        Assert.Equal("Smith, John", contacts[0].DisplayName);
        Assert.Equal("sip:j@h;x=a,b", contacts[0].UriText);
        Assert.Equal("0.5", contacts[0].GetParameter("q"));
        Assert.Equal("sip:k@h", contacts[1].UriText);
    }

    [Fact]
    public void Should_take_the_rest_of_a_datagram_as_body_without_content_length_and_ignore_bytes_after_it()
    {
        var head = "MESSAGE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: m\r\nCSeq: 1 MESSAGE\r\n";

        var noLength = SipMessage.Parse(Encoding.ASCII.GetBytes(head + "\r\nhello"));
        var extra = SipMessage.Parse(Encoding.ASCII.GetBytes(head + "Content-Length: 2\r\n\r\nhello"));

        Assert.Equal("hello", Encoding.ASCII.GetString(noLength.Body.Span));
        Assert.Equal("he", Encoding.ASCII.GetString(extra.Body.Span));
    }

    [Fact]
    public void Should_skip_line_breaks_before_the_start_line()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes("\r\n\r\n" + SampleMessages.Register));

        Assert.True(message.IsRequest);
    }

    [Fact]
    public void Should_accept_an_extension_method_and_unknown_headers()
    {
        var text = "FOO.bar-1 sip:b@h SIP/2.0\r\nX-Vinteo-Remote: 10.1.1.1\r\nx-vinteo-remote: second\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
            + "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: m\r\nCSeq: 1 FOO.bar-1\r\n\r\n";

        var request = Assert.IsType<SipRequest>(SipMessage.Parse(Encoding.ASCII.GetBytes(text)));

        Assert.Equal(SipMethod.Unknown, request.Method);
        Assert.Equal("FOO.bar-1", request.MethodName);
        Assert.Equal(["10.1.1.1", "second"], request.Headers.GetValues("X-VINTEO-REMOTE"));
        Assert.Equal(SipMethod.Unknown, request.CSeq!.Value.Method);
        request.Validate();
    }

    public static TheoryData<string, SipParseError> InvalidMessages => new()
    {
        { "", SipParseError.Incomplete },
        { "\r\n\r\n", SipParseError.Incomplete },
        { "INVITE sip:b@h SIP/2.0\r\nVia: x\r\n", SipParseError.Incomplete },
        { "garbage\r\n\r\n", SipParseError.InvalidStartLine },
        { "INVITE sip:b@h SIP/3.0\r\n\r\n", SipParseError.UnsupportedVersion },
        { "INVITE sip:b@h HTTP/1.1\r\n\r\n", SipParseError.InvalidStartLine },
        { "INVITE  sip:b@h SIP/2.0\r\n\r\n", SipParseError.InvalidStartLine },
        { "INVITE sip:b@h SIP/2.0 \r\n\r\n", SipParseError.InvalidStartLine },
        { "INVITE sip:b@h; lr SIP/2.0\r\n\r\n", SipParseError.InvalidRequestUri },
        { "INVITE <sip:b@h> SIP/2.0\r\n\r\n", SipParseError.InvalidRequestUri },
        { "INVITE b@h SIP/2.0\r\n\r\n", SipParseError.InvalidRequestUri },
        { "INV(TE sip:b@h SIP/2.0\r\n\r\n", SipParseError.InvalidMethod },
        { "SIP/2.0 20 OK\r\n\r\n", SipParseError.InvalidStatusCode },
        { "SIP/2.0 099 Odd\r\n\r\n", SipParseError.InvalidStatusCode },
        { "SIP/2.0 700 Odd\r\n\r\n", SipParseError.InvalidStatusCode },
        { "SIP/2.0 2000 OK\r\n\r\n", SipParseError.InvalidStatusCode },
        { "SIP/2.0 200 OK\r\nNoColon\r\n\r\n", SipParseError.InvalidHeader },
        { "SIP/2.0 200 OK\r\n: empty name\r\n\r\n", SipParseError.InvalidHeader },
        { "SIP/2.0 200 OK\r\nBad Name: x\r\n\r\n", SipParseError.InvalidHeader },
        { "SIP/2.0 200 OK\r\n folded-first: x\r\n\r\n", SipParseError.InvalidHeader },
        { "SIP/2.0 200 OK\r\nA: b\rc\r\n\r\n", SipParseError.InvalidHeader },
        { "SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n", SipParseError.InvalidContentLength },
        { "SIP/2.0 200 OK\r\nContent-Length: 1 0\r\n\r\n", SipParseError.InvalidContentLength },
        { "SIP/2.0 200 OK\r\nContent-Length: 5\r\n\r\nabc", SipParseError.InvalidContentLength },
        { "SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2\r\n\r\nab", SipParseError.InvalidContentLength },
        { "SIP/2.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n", SipParseError.InvalidContentLength },
        { "SIP/2.0 200 OK\r\nContent-Length: 999999\r\n\r\n", SipParseError.BodyTooLarge },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void Should_reject_malformed_input_with_the_reason(string text, SipParseError reason)
    {
        var error = Assert.Throws<SipParseException>(() => SipMessage.Parse(Encoding.ASCII.GetBytes(text)));

        Assert.Equal(reason, error.Reason);
        Assert.Contains(reason.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_enforce_the_limits()
    {
        var limits = new SipParserLimits { MaxHeaderCount = 5, MaxHeaderBytes = 64, MaxStartLineBytes = 32, MaxMessageBytes = 1024 };
        var register = SampleMessages.Bytes(SampleMessages.Register);

        Assert.Equal(SipParseError.MessageTooLarge, Assert.Throws<SipParseException>(() => SipMessage.Parse(new byte[1025], limits)).Reason);
        Assert.Equal(SipParseError.TooManyHeaders, Assert.Throws<SipParseException>(() => SipMessage.Parse(register, limits)).Reason);
        var longHeader = Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\nX: " + new string('a', 80) + "\r\n\r\n");
        Assert.Equal(SipParseError.HeaderTooLong, Assert.Throws<SipParseException>(() => SipMessage.Parse(longHeader, limits)).Reason);
        var longLine = Encoding.ASCII.GetBytes("OPTIONS sip:" + new string('a', 40) + "@h SIP/2.0\r\n\r\n");
        var tooLong = Assert.Throws<SipParseException>(() => SipMessage.Parse(longLine, limits));
        Assert.Equal(SipParseError.StartLineTooLong, tooLong.Reason);
        Assert.Equal(414, tooLong.StatusCode);
    }

    [Fact]
    public void Should_reject_nonsensical_limits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParserLimits { MaxHeaderCount = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParserLimits { MaxMessageBytes = -1 });
    }

    [Fact]
    public void Should_report_the_offset_and_an_escaped_excerpt_without_credentials()
    {
        var text = "SIP/2.0 200 OK\r\nAuthorization: Digest response=\"secret\"\r\nBad\x01Header\r\n\r\n";

        var error = Assert.Throws<SipParseException>(() => SipMessage.Parse(Encoding.ASCII.GetBytes(text)));

        Assert.Equal(SipParseError.InvalidHeader, error.Reason);
        Assert.Equal(text.IndexOf("Bad", StringComparison.Ordinal), error.Offset);
        Assert.Contains("Bad\\x01Header", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_which_header_fails_validation()
    {
        var missing = SipMessage.Parse(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"));
        var mismatch = SipMessage.Parse(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
        var twice = SipMessage.Parse(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nTo: <sip:c@h>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"));
        var badCSeq = SipMessage.Parse(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 2147483648 OPTIONS\r\n\r\n"));

        Assert.Contains("From is missing", Assert.Throws<SipParseException>(missing.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("does not match", Assert.Throws<SipParseException>(mismatch.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("To must appear once", Assert.Throws<SipParseException>(twice.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("below 2^31", Assert.Throws<SipParseException>(badCSeq.Validate).Message, StringComparison.Ordinal);
    }
}
