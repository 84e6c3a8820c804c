using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class TelUriTests
{
    [Theory]
    [InlineData("tel:+358-555-1234567;postd=pp22", "+358-555-1234567", true, "postd=pp22", null)]
    [InlineData("tel:+1-201-555-0123", "+1-201-555-0123", true, "", null)]
    [InlineData("TEL:+1(201)555.0123;ext=12", "+1(201)555.0123", true, "ext=12", null)]
    [InlineData("tel:7042;phone-context=example.com", "7042", false, "phone-context=example.com", "example.com")]
    [InlineData("tel:863-1234;phone-context=+1-914-555", "863-1234", false, "phone-context=+1-914-555", "+1-914-555")]
    [InlineData("tel:*97%23;phone-context=example.com", "*97%23", false, "phone-context=example.com", "example.com")]
    [InlineData("tel:*97#", "*97#", false, "", null)]
    [InlineData("tel:1234", "1234", false, "", null)]
    [InlineData("tel:+12015550123;isub=a%20b@c;flag", "+12015550123", true, "isub=a b@c|flag", null)]
    public void Should_read_the_number_and_parameters(string text, string number, bool global, string parameters, string? context)
    {
        var uri = TelUri.Parse(text);

        Assert.Equal((number, global, context), (uri.Number, uri.IsGlobal, uri.Context));
        Assert.Equal("tel", uri.Scheme);
        Assert.Equal(parameters, string.Join('|', uri.Parameters.Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value)));
        Assert.IsType<TelUri>(AddressUri.Parse(text));
    }

    [Theory]
    [MemberData(nameof(UriSamples.TelTheory), MemberType = typeof(UriSamples))]
    public void Should_parse_its_own_output_to_an_equal_uri(string text)
    {
        var uri = TelUri.Parse(text);
        var again = TelUri.Parse(uri.ToString());

        Assert.Equal(uri, again);
        Assert.Equal(uri.GetHashCode(), again.GetHashCode());
        Assert.Equal(uri.ToString(), again.ToString());
        Assert.Equal(uri.Parameters, again.Parameters);
    }

    [Theory]
    [InlineData("TEL:+1-201-555-0123;EXT=1", "tel:+1-201-555-0123;EXT=1")]
    [InlineData("tel:+1;isub=a%20b%3b", "tel:+1;isub=a%20b%3B")]
    public void Should_write_the_wire_form(string text, string expected)
    {
        Assert.Equal(expected, TelUri.Parse(text).ToString());
    }

    [Theory]
    // RFC 3966 §4: visual separators do not count, parameters in any order, case-insensitive
    [InlineData("tel:+1-201-555-0123", "tel:+1(201)555.0123")]
    [InlineData("tel:+1-201-555-0123;ext=1-2", "tel:+12015550123;EXT=12")]
    [InlineData("tel:7042;phone-context=example.com;ext=5", "tel:7042;ext=5;phone-context=EXAMPLE.com")]
    [InlineData("tel:863-1234;phone-context=+1-914-555", "tel:8631234;phone-context=+1914555")]
    [InlineData("tel:abc*#", "tel:ABC*%23")]
    [InlineData("tel:+1;flag", "tel:+1;FLAG")]
    public void Should_find_equal_what_RFC_3966_calls_equivalent(string a, string b)
    {
        var x = TelUri.Parse(a);
        var y = TelUri.Parse(b);

        Assert.True(x.Equals(y));
        Assert.True(y.Equals(x));
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
    }

    [Theory]
    [InlineData("tel:+1234", "tel:1234")]
    [InlineData("tel:+1234", "tel:+12345")]
    [InlineData("tel:+1234;ext=1", "tel:+1234")]
    [InlineData("tel:+1234;ext=1", "tel:+1234;ext=2")]
    [InlineData("tel:7042;phone-context=example.com", "tel:7042;phone-context=example.net")]
    [InlineData("tel:+1;flag", "tel:+1;flag=on")]
    [InlineData("tel:+1;a=1;b=2", "tel:+1;a=1;c=2")]
    public void Should_tell_apart_what_RFC_3966_calls_different(string a, string b)
    {
        Assert.NotEqual(TelUri.Parse(a), TelUri.Parse(b));
        Assert.NotEqual(TelUri.Parse(b), TelUri.Parse(a));
    }

    [Theory]
    [InlineData("tel:", 4, "the telephone number is empty")]
    [InlineData("tel:;ext=1", 4, "the telephone number is empty")]
    [InlineData("tel:+", 4, "a global number needs at least one digit")]
    [InlineData("tel:+-.", 4, "a global number needs at least one digit")]
    [InlineData("tel:--", 4, "a local number needs at least one digit")]
    [InlineData("tel:+1-2a", 8, "character 'a' is not allowed in a global telephone number")]
    [InlineData("tel:+1+2", 6, "character '+' is not allowed in a global telephone number")]
    [InlineData("tel:12 34", 6, "whitespace is not allowed in a local telephone number")]
    [InlineData("tel:12%2A", 6, "character '%' is not allowed")]
    [InlineData("tel:+123;=x", 9, "a tel URI parameter has no name")]
    [InlineData("tel:+123;", 9, "a tel URI parameter has no name")]
    [InlineData("tel:+123;na_me=1", 11, "character '_' is not allowed in a tel URI parameter name")]
    [InlineData("tel:+123;a=%G1", 11, "invalid escape '%G1' in the parameter value")]
    [InlineData("tel:+123;a=b c", 12, "whitespace is not allowed in the parameter value")]
    [InlineData("tel:+123;a=<b>", 11, "character '<' is not allowed in the parameter value")]
    [InlineData("sip:+123@host", 0, "the scheme is not tel")]
    public void Should_reject_a_malformed_tel_uri(string text, int offset, string detail)
    {
        var error = Assert.Throws<SipParseException>(() => TelUri.Parse(text));

        Assert.Equal((SipParseError.InvalidUri, offset), (error.Reason, error.Offset));
        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
        Assert.False(TelUri.TryParse(text, out _));
    }

    [Fact]
    public void Should_build_a_tel_uri_and_refuse_a_bad_number()
    {
        var uri = new TelUri("+1-201-555-0123", [new("ext", "7"), new("x", "a;b")]);

        Assert.Equal("tel:+1-201-555-0123;ext=7;x=a%3Bb", uri.ToString());
        Assert.Equal(("7", "a;b"), (uri.Extension, TelUri.Parse(uri.ToString()).GetParameter("X")));
        Assert.Throws<ArgumentException>(() => new TelUri("+1 201"));
        Assert.Throws<ArgumentException>(() => new TelUri(""));
        Assert.Throws<ArgumentException>(() => new TelUri("+1", [new("a b", null)]));
    }
}
