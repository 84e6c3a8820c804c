using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class SipUriInvalidTests
{
    [Theory]
    // whitespace and angle brackets (RFC 4475 §3.1.2.7 ltgtruri, §3.1.2.8 lwsruri)
    [InlineData("sip:alice@atlanta.com ;transport=tcp", 21, "whitespace is not allowed in the host")]
    [InlineData("sip:user@example.com; lr", 21, "whitespace is not allowed in the parameter name")]
    [InlineData("sip:al ice@atlanta.com", 6, "whitespace is not allowed in the user part")]
    [InlineData("sip:alice@ho st", 12, "whitespace")]
    [InlineData("sip:alice@host?a=b c", 18, "whitespace is not allowed in the header value")]
    [InlineData(" sip:alice@atlanta.com", 0, "the scheme is not sip or sips")]
    [InlineData("sip:<alice@host>", 4, "character '<' is not allowed in the user part")]
    [InlineData("<sip:alice@host>", 0, "the scheme is not sip or sips")]
    [InlineData("sip:alice@host>", 14, "character '>' is not allowed in the host")]
    [InlineData("sip:\"alice\"@host", 4, "character '\"'")]
    // control characters, raw or NUL
    [InlineData("sip:alice@host\u0001", 14, "control character 0x01")]
    [InlineData("sip:alice@host\u0000", 14, "control character 0x00")]
    [InlineData("sip:ali\u0000ce@host", 7, "control character 0x00 is not allowed in the user part")]
    [InlineData("sip:alice@host;lr\u007f", 17, "control character 0x7F")]
    [InlineData("sip:alice@hôst.com", 11, "non-ASCII character U+00F4 is not allowed in the host")]
    // ports
    [InlineData("sip:alice@atlanta.com:65536", 22, "port is not a number 0..65535")]
    [InlineData("sip:alice@atlanta.com:12a", 24, "port is not a number 0..65535")]
    [InlineData("sip:alice@atlanta.com:", 22, "port is not a number 0..65535")]
    [InlineData("sip:alice@atlanta.com:;lr", 22, "port is not a number 0..65535")]
    [InlineData("sip:alice@atlanta.com:123456", 22, "port is not a number 0..65535")]
    [InlineData("sip:alice@atlanta.com:-1", 22, "port is not a number 0..65535")]
    [InlineData("sip:alice@atlanta.com:5060:5061", 26, "port is not a number 0..65535")]
    // escapes
    [InlineData("sip:al%G1ice@atlanta.com", 6, "invalid escape '%G1' in the user part")]
    [InlineData("sip:alice%2@atlanta.com", 9, "invalid escape '%2' in the user part")]
    [InlineData("sip:alice@host;na%ZZme", 17, "invalid escape '%ZZ' in the parameter name")]
    [InlineData("sip:alice@host;name=%", 20, "invalid escape '%' in the parameter value")]
    [InlineData("sip:alice@host?a=%4", 17, "invalid escape '%4' in the header value")]
    [InlineData("sip:alice@exa%6Dple.com", 13, "character '%' is not allowed in the host")]
    // hosts
    [InlineData("sip:", 4, "the host is empty")]
    [InlineData("sips:", 5, "the host is empty")]
    [InlineData("sip:alice@", 10, "the host is empty")]
    [InlineData("sip:alice@;transport=tcp", 10, "the host is empty")]
    [InlineData("sip:alice@:5060", 10, "the host is empty")]
    [InlineData("sip:alice@-host.com", 10, "a host name label starts with '-'")]
    [InlineData("sip:alice@host-.com", 14, "a host name label ends with '-'")]
    [InlineData("sip:alice@host.com-", 18, "a host name label ends with '-'")]
    [InlineData("sip:alice@host..com", 15, "the host name has an empty label")]
    [InlineData("sip:alice@.host", 10, "the host name has an empty label")]
    [InlineData("sip:alice@192.0.2.256", 10, "not an IPv4 address")]
    [InlineData("sip:alice@1.2.3", 10, "not an IPv4 address")]
    [InlineData("sip:alice@1.2.3.4.", 10, "not an IPv4 address")]
    [InlineData("sip:a@b@c", 7, "character '@' is not allowed in the host")]
    // IPv6 references (RFC 5118 §4.2: not bracketed; §4.10: three colons)
    [InlineData("sip:alice@[2001:db8::10", 10, "unterminated IPv6 reference")]
    [InlineData("sip:2001:db8::10", 4, "not an IPv4 address")]
    [InlineData("sip:alice@[2001:db8:::192.0.2.1]", 11, "does not hold an IPv6 address")]
    [InlineData("sip:[2001:db8::10::1]", 5, "does not hold an IPv6 address")]
    [InlineData("sip:[1:2:3:4:5:6:7:8:9]", 5, "does not hold an IPv6 address")]
    [InlineData("sip:[1:2:3:4:5:6:7]", 5, "does not hold an IPv6 address")]
    [InlineData("sip:[12345::1]", 5, "does not hold an IPv6 address")]
    [InlineData("sip:[fe80::1%25eth0]", 5, "does not hold an IPv6 address")]
    [InlineData("sip:[::1.2.3]", 5, "does not hold an IPv6 address")]
    [InlineData("sip:alice@[]", 11, "does not hold an IPv6 address")]
    [InlineData("sip:alice@[nothex]", 11, "does not hold an IPv6 address")]
    [InlineData("sip:alice@[2001:db8::10]x", 24, "character 'x' follows the IPv6 reference")]
    [InlineData("sip:alice@[2001:db8::10]:", 25, "port is not a number 0..65535")]
    // userinfo, parameters, headers
    [InlineData("sip:@host", 4, "the user part before '@' is empty")]
    [InlineData("sip::secret@host", 4, "the user part before '@' is empty")]
    [InlineData("sip:alice@host;=x", 15, "a URI parameter has no name")]
    [InlineData("sip:alice@host;", 15, "a URI parameter has no name")]
    [InlineData("sip:alice@host;;lr", 15, "a URI parameter has no name")]
    [InlineData("sip:alice@host;lr;?a=b", 18, "a URI parameter has no name")]
    [InlineData("sip:alice@host;a=b=c", 18, "character '=' is not allowed in the parameter value")]
    [InlineData("sip:alice@host?noequals", 15, "a URI header needs name=value")]
    [InlineData("sip:alice@host?", 15, "a URI header needs name=value")]
    [InlineData("sip:alice@host?=v", 15, "a URI header has no name")]
    [InlineData("sip:alice@host?a=b&", 19, "a URI header needs name=value")]
    [InlineData("sip:alice@host?a=b&&c=d", 19, "a URI header needs name=value")]
    [InlineData("sip:alice@host?a=b=c", 18, "character '=' is not allowed in the header value")]
    [InlineData("sip:alice@host?a=b;c", 18, "character ';' is not allowed in the header value")]
    // not a SIP URI at all
    [InlineData("http://example.com", 0, "the scheme is not sip or sips")]
    [InlineData("sip", 0, "the scheme is not sip or sips")]
    [InlineData("", 0, "the scheme is not sip or sips")]
    public void Should_reject_a_malformed_uri_naming_the_problem_and_its_offset(string text, int offset, string detail)
    {
        var error = Assert.Throws<SipParseException>(() => SipUri.Parse(text));

        Assert.Equal(SipParseError.InvalidUri, error.Reason);
        Assert.Equal(offset, error.Offset);
        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
        Assert.False(SipUri.TryParse(text, out var none));
        Assert.Null(none);
        if (text.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || text.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            Assert.False(AddressUri.TryParse(text, out _));
        }
    }

    [Theory]
    [InlineData("sip:alice:hunter2@host:99999")]
    [InlineData("sip:alice:hunter2@ho st")]
    [InlineData("sip:alice:hun%G1ter2@host")]
    [InlineData("sip:alice:hunter2 @host")]
    [InlineData("sip:alice:hunter2\u0001@host")]
    [InlineData("sip:al ice:hunter2@host")]
    [InlineData("sip:alice:hunter2@b@c")]
    [InlineData("sips:alice:hunter2@[::1")]
    [InlineData("http://alice:hunter2@host/a b")]
    public void Should_keep_the_password_out_of_errors(string text)
    {
        var error = Assert.Throws<SipParseException>(() => AddressUri.Parse(text));

        Assert.DoesNotContain("hun", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hun", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hun", error.Excerpt ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Should_quote_the_text_at_the_offset_escaping_what_is_not_printable()
    {
        var error = Assert.Throws<SipParseException>(() => SipUri.Parse("sip:alice@ho\tst;lr"));

        Assert.Equal(12, error.Offset);
        Assert.Equal("\\x09st;lr", error.Excerpt);
        Assert.Contains("InvalidUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_not_accept_null_text()
    {
        Assert.Throws<ArgumentNullException>(() => SipUri.Parse((string)null!));
        Assert.Throws<ArgumentNullException>(() => AddressUri.Parse((string)null!));
    }
}
