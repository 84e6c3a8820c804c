using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class OpaqueUriTests
{
    [Theory]
    // RFC 4475 §3.3.2 unkscm, §3.3.3 novelsc, §3.3.4 unksm2
    [InlineData("nobodyknowsthisscheme:totallyopaqueschemedata", "nobodyknowsthisscheme", "totallyopaqueschemedata")]
    [InlineData("soap.beep://192.0.2.103:3002", "soap.beep", "//192.0.2.103:3002")]
    [InlineData("isbn:2983792873", "isbn", "2983792873")]
    [InlineData("http://www.example.com", "http", "//www.example.com")]
    [InlineData("name:John_Smith", "name", "John_Smith")]
    [InlineData("HTTP://Example.com/a%20b?q=1#frag", "http", "//Example.com/a%20b?q=1#frag")]
    [InlineData("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "urn", "uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")]
    [InlineData("sipx+tls:a", "sipx+tls", "a")]
    public void Should_keep_an_unknown_scheme_opaque(string text, string scheme, string rest)
    {
        var uri = Assert.IsType<OpaqueUri>(AddressUri.Parse(text));

        Assert.Equal((scheme, rest), (uri.Scheme, uri.SchemeSpecificPart));
        Assert.Equal(scheme + ":" + rest, uri.ToString());
        Assert.Equal(uri, OpaqueUri.Parse(uri.ToString()));
    }

    [Theory]
    [InlineData("isbn:", 5, "nothing follows the scheme")]
    [InlineData("isbn:12 34", 7, "whitespace is not allowed in the URI")]
    [InlineData("isbn:%zz", 5, "invalid escape '%zz' in the URI")]
    [InlineData("isbn:1%4", 6, "invalid escape '%4' in the URI")]
    [InlineData("x:<y>", 2, "character '<' is not allowed in the URI")]
    [InlineData("x:a\"b", 3, "character '\"'")]
    [InlineData("x:a\u00e9", 3, "non-ASCII character U+00E9")]
    [InlineData("1abc:x", 0, "does not start with a scheme")]
    [InlineData(":x", 0, "does not start with a scheme")]
    [InlineData("", 0, "does not start with a scheme")]
    [InlineData("no scheme here", 2, "the scheme is not followed by ':'")]
    [InlineData("abc", 3, "the scheme is not followed by ':'")]
    [InlineData("a_b:c", 1, "the scheme is not followed by ':'")]
    public void Should_reject_what_is_no_absolute_uri(string text, int offset, string detail)
    {
        var error = Assert.Throws<SipParseException>(() => AddressUri.Parse(text));

        Assert.Equal((SipParseError.InvalidUri, offset), (error.Reason, error.Offset));
        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
        Assert.False(AddressUri.TryParse(text, out _));
        Assert.False(OpaqueUri.TryParse(text, out _));
    }

    [Fact]
    public void Should_compare_the_scheme_without_case_and_the_rest_exactly()
    {
        Assert.Equal(AddressUri.Parse("ISBN:2983792873"), AddressUri.Parse("isbn:2983792873"));
        Assert.Equal(AddressUri.Parse("ISBN:2983792873").GetHashCode(), AddressUri.Parse("isbn:2983792873").GetHashCode());
        Assert.NotEqual(AddressUri.Parse("name:John"), AddressUri.Parse("name:john"));
    }

    [Fact]
    public void Should_build_an_opaque_uri_and_refuse_bad_parts()
    {
        Assert.Equal("urn:x", new OpaqueUri("URN", "x").ToString());
        Assert.Throws<ArgumentException>(() => new OpaqueUri("1x", "a"));
        Assert.Throws<ArgumentException>(() => new OpaqueUri("x:y", "a"));
        Assert.Throws<ArgumentException>(() => new OpaqueUri("x", "a b"));
        Assert.Throws<ArgumentException>(() => new OpaqueUri("x", ""));
    }
}
