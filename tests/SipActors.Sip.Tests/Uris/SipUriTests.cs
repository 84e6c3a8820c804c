using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class SipUriTests
{
    // Parameters are written "name" (flag) or "name=value" joined by '|', headers "name=value" joined by '&', all unescaped.
    [Theory]
    // RFC 3261 §19.1.3
    [InlineData("sip:alice@atlanta.com", false, "alice", null, "atlanta.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:alice:secretword@atlanta.com;transport=tcp", false, "alice", "secretword", "atlanta.com", SipHostKind.DomainName, null, "transport=tcp", "")]
    [InlineData("sips:alice@atlanta.com?subject=project%20x&priority=urgent", true, "alice", null, "atlanta.com", SipHostKind.DomainName, null, "", "subject=project x&priority=urgent")]
    [InlineData("sip:+1-212-555-1212:1234@gateway.com;user=phone", false, "+1-212-555-1212", "1234", "gateway.com", SipHostKind.DomainName, null, "user=phone", "")]
    [InlineData("sips:1212@gateway.com", true, "1212", null, "gateway.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:alice@192.0.2.4", false, "alice", null, "192.0.2.4", SipHostKind.IPv4, null, "", "")]
    [InlineData("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", false, null, null, "atlanta.com", SipHostKind.DomainName, null, "method=REGISTER", "to=alice@atlanta.com")]
    [InlineData("sip:alice;day=tuesday@atlanta.com", false, "alice;day=tuesday", null, "atlanta.com", SipHostKind.DomainName, null, "", "")]
    // RFC 5118 (IPv6): §4.1, §4.3 (the colon is inside the address, so no port), §4.4, §4.10 (two colons), IPv4-mapped
    [InlineData("sip:[2001:db8::10]:5070", false, null, null, "[2001:db8::10]", SipHostKind.IPv6, 5070, "", "")]
    [InlineData("sip:user@[::1];transport=ws", false, "user", null, "[::1]", SipHostKind.IPv6, null, "transport=ws", "")]
    [InlineData("sip:[2001:db8::10]", false, null, null, "[2001:db8::10]", SipHostKind.IPv6, null, "", "")]
    [InlineData("sip:[2001:db8::10:5070]", false, null, null, "[2001:db8::10:5070]", SipHostKind.IPv6, null, "", "")]
    [InlineData("sip:user@[2001:db8::192.0.2.1]", false, "user", null, "[2001:db8::192.0.2.1]", SipHostKind.IPv6, null, "", "")]
    [InlineData("sip:[::ffff:192.0.2.10]:5060", false, null, null, "[::ffff:192.0.2.10]", SipHostKind.IPv6, 5060, "", "")]
    [InlineData("sip:[2001:DB8::A]", false, null, null, "[2001:db8::a]", SipHostKind.IPv6, null, "", "")]
    [InlineData("sip:[1:2:3:4:5:6:7:8]", false, null, null, "[1:2:3:4:5:6:7:8]", SipHostKind.IPv6, null, "", "")]
    [InlineData("sip:example.com:65535;maddr=[2001:db8::20];ttl=15", false, null, null, "example.com", SipHostKind.DomainName, 65535, "maddr=[2001:db8::20]|ttl=15", "")]
    // RFC 4475: esc01 and escnull (§3.1.1.3, §3.1.1.4), intmeth (§3.1.1.2), wsinv (§3.1.1.1), semiuri (§3.1.1.9), regescrt (§3.1.1.12)
    [InlineData("sip:sips%3Auser%40example.com@example.net", false, "sips:user@example.com", null, "example.net", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:%75se%72@example.com", false, "user", null, "example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:I%20have%20spaces@example.net", false, "I have spaces", null, "example.net", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:null-%00-null@example.com", false, "null-\0-null", null, "example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:%00%00@host5.example.com", false, "\0\0", null, "host5.example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
        false, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", "example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", false, "caller", null, "host5.example.net", SipHostKind.DomainName, null, "lr|name=value%41", "")]
    [InlineData("sip:vivekg@chair-dnrc.example.com;unknownparam", false, "vivekg", null, "chair-dnrc.example.com", SipHostKind.DomainName, null, "unknownparam", "")]
    [InlineData("sip:services.example.com;lr;unknownwith=value;unknown-no-value", false, null, null, "services.example.com", SipHostKind.DomainName, null, "lr|unknownwith=value|unknown-no-value", "")]
    [InlineData("sip:user;par=u%40example.net@example.com", false, "user;par=u@example.net", null, "example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:user@example.com?Route=%3Csip:sip.example.com%3E", false, "user", null, "example.com", SipHostKind.DomainName, null, "", "Route=<sip:sip.example.com>")]
    // scheme and host case, ports, empty password, escapes that are not ASCII, tolerated readings
    [InlineData("SIP:Bob@Example.COM:5061", false, "Bob", null, "example.com", SipHostKind.DomainName, 5061, "", "")]
    [InlineData("Sips:bob@EXAMPLE.com", true, "bob", null, "example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:alice:@atlanta.com:0", false, "alice", "", "atlanta.com", SipHostKind.DomainName, 0, "", "")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", false, null, null, "biloxi.com", SipHostKind.DomainName, null, "transport=tcp|method=REGISTER", "to=sip:bob@biloxi.com")]
    [InlineData("sip:%E2%82%ACuro@example.com", false, "\u20ACuro", null, "example.com", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:10.0.0.1;lr;x=;lr=on", false, null, null, "10.0.0.1", SipHostKind.IPv4, null, "lr|x=|lr=on", "")]
    [InlineData("sip:host_name.example.com.", false, null, null, "host_name.example.com.", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:alice@1host.example.123", false, "alice", null, "1host.example.123", SipHostKind.DomainName, null, "", "")]
    [InlineData("sip:localhost?h=&a=b?c", false, null, null, "localhost", SipHostKind.DomainName, null, "", "h=&a=b?c")]
    public void Should_read_every_component(string text, bool secure, string? user, string? password, string host, SipHostKind kind, int? port, string parameters, string headers)
    {
        var uri = SipUri.Parse(text);

        Assert.Equal((secure, user, password, host, kind, port), (uri.IsSecure, uri.User, uri.Password, uri.Host, uri.HostKind, uri.Port));
        Assert.Equal(secure ? "sips" : "sip", uri.Scheme);
        Assert.Equal(parameters, string.Join('|', uri.Parameters.Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value)));
        Assert.Equal(headers, string.Join('&', uri.Headers.Select(h => h.Key + "=" + h.Value)));
    }

    [Theory]
    [MemberData(nameof(UriSamples.SipTheory), MemberType = typeof(UriSamples))]
    public void Should_parse_its_own_output_to_an_equal_uri(string text)
    {
        var uri = SipUri.Parse(text);
        var again = SipUri.Parse(uri.ToString());

        Assert.Equal(uri, again);
        Assert.Equal(uri.GetHashCode(), again.GetHashCode());
        Assert.Equal(uri.ToString(), again.ToString());
        Assert.Equal((uri.User, uri.Password, uri.Host, uri.Port), (again.User, again.Password, again.Host, again.Port));
        Assert.Equal(uri.Parameters, again.Parameters);
        Assert.Equal(uri.Headers, again.Headers);
    }

    [Theory]
    [InlineData("sip:alice@atlanta.com")]
    [InlineData("sip:alice:secretword@atlanta.com;transport=tcp")]
    [InlineData("sips:alice@atlanta.com?subject=project%20x&priority=urgent")]
    [InlineData("sip:+1-212-555-1212:1234@gateway.com;user=phone")]
    [InlineData("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com")]
    [InlineData("sip:sips%3Auser%40example.com@example.net")]
    [InlineData("sip:null-%00-null@example.com")]
    [InlineData("sip:[2001:db8::10]:5070;maddr=[2001:db8::20];lr")]
    [InlineData("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com")]
    [InlineData("sip:%E2%82%ACuro@example.com")]
    [InlineData("sip:%FF%FE@example.com")]
    public void Should_write_canonical_text_back_unchanged(string text)
    {
        Assert.Equal(text, SipUri.Parse(text).ToString());
    }

    [Theory]
    [InlineData("SIP:Bob@Example.COM:05061", "sip:Bob@example.com:5061")]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@atlanta.com;transport=TCP")]
    [InlineData("sip:[2001:DB8::A]", "sip:[2001:db8::a]")]
    [InlineData("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", "sip:caller@host5.example.net;lr;name=value%2541")]
    [InlineData("sip:alice%3bday=tuesday@atlanta.com", "sip:alice;day=tuesday@atlanta.com")]
    [InlineData("sip:host;x=a%3ab%20c", "sip:host;x=a:b%20c")]
    [InlineData("sip:host?subject=a%3db", "sip:host?subject=a%3Db")]
    [InlineData("sip:%e2%82%ac@host", "sip:%E2%82%AC@host")]
    public void Should_escape_only_what_the_grammar_requires(string text, string expected)
    {
        Assert.Equal(expected, SipUri.Parse(text).ToString());
    }

    [Fact]
    public void Should_keep_escaped_bytes_that_are_not_utf8_as_lone_surrogates_and_write_them_back()
    {
        // Attributes cannot carry lone surrogates, hence a fact rather than theory rows.
        var uri = SipUri.Parse("sip:%FF%C3a%ED%B2%80@example.com;x=%80");

        Assert.Equal("\uDCFF\uDCC3a\uDCED\uDCB2\uDC80", uri.User);
        Assert.Equal("\uDC80", uri.GetParameter("x"));
        Assert.Equal("sip:%FF%C3a%ED%B2%80@example.com;x=%80", uri.ToString());
        Assert.Equal("\uDCFF", new SipUri(false, "\uDCFF", "host").User);
        Assert.Equal("sip:%FF@host", new SipUri(false, "\uDCFF", "host").ToString());
    }

    [Fact]
    public void Should_build_the_wire_form_once()
    {
        var uri = SipUri.Parse("sip:alice@atlanta.com;transport=tcp");

        Assert.Same(uri.ToString(), uri.ToString());
    }

    [Fact]
    public void Should_find_parameters_by_name_ignoring_case()
    {
        var uri = SipUri.Parse("sip:proxy.example.com;Transport=TLS;LR;user=ip;maddr=192.0.2.1;x=1;x=2");

        Assert.Equal(("TLS", "ip", "192.0.2.1", true), (uri.Transport, uri.UserParameter, uri.Maddr, uri.LooseRouting));
        Assert.True(uri.HasParameter("lr"));
        Assert.Null(uri.GetParameter("lr"));
        Assert.Equal("1", uri.GetParameter("X"));
        Assert.False(uri.HasParameter("ttl"));
        Assert.Equal("Transport", uri.Parameters[0].Key);
    }

    [Fact]
    public void Should_be_an_address_uri_of_scheme_sip_or_sips()
    {
        Assert.IsType<SipUri>(AddressUri.Parse("sip:alice@atlanta.com"));
        Assert.Equal("sips", Assert.IsType<SipUri>(AddressUri.Parse("SIPS:alice@atlanta.com")).Scheme);
        Assert.True(SipUri.TryParse("sip:alice@atlanta.com", out var uri));
        Assert.Equal("alice", uri.User);
        Assert.False(SipUri.TryParse("tel:+1234", out _));
    }
}
