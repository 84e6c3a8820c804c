using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class SipUriBuildTests
{
    [Fact]
    public void Should_write_a_built_uri_escaping_each_component_by_its_grammar()
    {
        var uri = new SipUri(false, "a:b@c d", "Example.COM", 5060,
            [new("transport", "tcp"), new("x y", "a b;c=d"), new("lr", null)],
            [new("Subject", "x&y=z"), new("Route", "<sip:p.example.com;lr>")],
            password: "p@ss:w;rd");

        Assert.Equal(
            "sip:a%3Ab%40c%20d:p%40ss%3Aw%3Brd@example.com:5060;transport=tcp;x%20y=a%20b%3Bc%3Dd;lr"
            + "?Subject=x%26y%3Dz&Route=%3Csip:p.example.com%3Blr%3E",
            uri.ToString());
        var again = SipUri.Parse(uri.ToString());
        Assert.Equal(uri, again);
        Assert.Equal(("a:b@c d", "p@ss:w;rd", "a b;c=d", "x&y=z"), (again.User, again.Password, again.GetParameter("x y"), again.Headers[0].Value));
    }

    [Theory]
    [InlineData("\u00e9l\u00e8ve", "sip:%C3%A9l%C3%A8ve@host")]
    [InlineData("\0", "sip:%00@host")]
    [InlineData("\U0001F600", "sip:%F0%9F%98%80@host")]
    [InlineData("+1-212-555-1212;isub=12", "sip:+1-212-555-1212;isub=12@host")]
    [InlineData("50%", "sip:50%25@host")]
    public void Should_escape_the_user_as_utf8_with_upper_case_hex(string user, string expected)
    {
        var uri = new SipUri(false, user, "host");

        Assert.Equal(expected, uri.ToString());
        Assert.Equal(user, SipUri.Parse(expected).User);
    }

    [Theory]
    [InlineData("::1", "[::1]", SipHostKind.IPv6)]
    [InlineData("[2001:DB8::1]", "[2001:db8::1]", SipHostKind.IPv6)]
    [InlineData("192.0.2.1", "192.0.2.1", SipHostKind.IPv4)]
    [InlineData("Proxy.Example.com", "proxy.example.com", SipHostKind.DomainName)]
    public void Should_accept_a_host_with_or_without_ipv6_brackets(string host, string expected, SipHostKind kind)
    {
        var uri = new SipUri(true, null, host, 5061);

        Assert.Equal((expected, kind), (uri.Host, uri.HostKind));
        Assert.Equal($"sips:{expected}:5061", uri.ToString());
    }

    [Fact]
    public void Should_derive_changed_copies_leaving_the_original_alone()
    {
        var uri = new SipUri(false, "alice smith", "example.com", 5060, [new("transport", "tcp")], [new("subject", "hi")], "pw");

        Assert.Equal("sip:alice%20smith:pw@example.com;transport=tcp;lr?subject=hi", uri.WithPort(null).WithParameter("lr", null).ToString());
        Assert.Equal("sip:alice%20smith:pw@example.com:5060;transport=udp?subject=hi", uri.WithParameter("transport", "udp").ToString());
        Assert.Equal("sip:alice%20smith:pw@example.com:5060?subject=hi", uri.WithoutParameter("TRANSPORT").ToString());
        Assert.Equal("sip:bob:pw@example.com:5060;transport=tcp?subject=hi", uri.WithUser("bob").ToString());
        Assert.Equal("sip:example.com:5060;transport=tcp?subject=hi", uri.WithUser(null).ToString());
        Assert.Equal("sip:alice%20smith:pw@example.com:5060;transport=tcp", uri.WithoutHeaders().ToString());
        Assert.Equal("sip:alice%20smith:pw@example.com:5060;transport=tcp?subject=hi", uri.ToString());
        Assert.Same(uri, uri.WithoutParameter("maddr"));
        var bare = uri.WithoutHeaders();
        Assert.Same(bare, bare.WithoutHeaders());
    }

    [Fact]
    public void Should_remove_every_copy_of_a_repeated_parameter()
    {
        var uri = SipUri.Parse("sip:host;x=1;lr;X=2");

        Assert.Equal("sip:host;lr", uri.WithoutParameter("x").ToString());
        Assert.Equal("sip:host;x=3;lr;X=2", uri.WithParameter("x", "3").ToString());
        Assert.Equal("sip:host", uri.WithoutParameter("x").WithoutParameter("lr").ToString());
    }

    [Fact]
    public void Should_refuse_components_that_cannot_make_a_uri()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipUri(false, "a", "h", 70000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipUri(false, "a", "h", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SipUri.Parse("sip:h").WithPort(65536));
        Assert.Throws<ArgumentException>(() => new SipUri(false, "a", "bad host"));
        Assert.Throws<ArgumentException>(() => new SipUri(false, "a", "[::1"));
        Assert.Throws<ArgumentException>(() => new SipUri(false, "a", "1.2.3.999"));
        Assert.Throws<ArgumentException>(() => new SipUri(false, "a", ""));
        Assert.Throws<ArgumentException>(() => new SipUri(false, null, "h", password: "pw"));
        Assert.Throws<ArgumentException>(() => new SipUri(false, "a", "h", parameters: [new("", "v")]));
        Assert.Throws<ArgumentException>(() => new SipUri(false, "a", "h", headers: [new("", "v")]));
        Assert.Throws<ArgumentException>(() => SipUri.Parse("sip:h").WithParameter("", "v"));
    }

    [Fact]
    public void Should_treat_an_empty_user_as_none()
    {
        var uri = new SipUri(false, "", "example.com");

        Assert.Null(uri.User);
        Assert.Equal("sip:example.com", uri.ToString());
    }
}
