using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class SipUriTests
{
    [Fact]
    public void Should_read_the_components_of_RFC_3261_examples()
    {
        var a = SipUri.Parse("sip:alice:secretword@atlanta.com;transport=tcp");
        var b = SipUri.Parse("sips:alice@atlanta.com?subject=project%20x&priority=urgent");
        var c = SipUri.Parse("sip:+1-212-555-1212:1234@gateway.com;user=phone");
        var d = SipUri.Parse("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com");
        var e = SipUri.Parse("sip:alice;day=tuesday@atlanta.com");

        Assert.Equal(("alice", "secretword", "atlanta.com", "tcp"), (a.User, a.Password, a.Host, a.Transport));
        Assert.True(b.IsSecure);
        Assert.Equal([new("subject", "project x"), new("priority", "urgent")], b.Headers);
        Assert.Equal(("+1-212-555-1212", "1234", "phone"), (c.User, c.Password, c.UserParameter));
        Assert.Null(d.User);
        Assert.Equal("REGISTER", d.GetParameter("method"));
        Assert.Equal("alice@atlanta.com", d.Headers[0].Value);
        Assert.Equal("alice;day=tuesday", e.User);
    }

    [Theory]
    [InlineData("sip:alice@192.0.2.4", "192.0.2.4", SipHostKind.IPv4, null)]
    [InlineData("sip:[2001:db8::10]:5070", "[2001:db8::10]", SipHostKind.IPv6, 5070)]
    [InlineData("sip:user@[::1];transport=ws", "[::1]", SipHostKind.IPv6, null)]
    [InlineData("SIP:Bob@Example.COM:5061", "example.com", SipHostKind.DomainName, 5061)]
    [InlineData("sip:host_name.example.com.", "host_name.example.com.", SipHostKind.DomainName, null)]
    public void Should_read_hosts_and_ports(string text, string host, SipHostKind kind, int? port)
    {
        var uri = SipUri.Parse(text);

        Assert.Equal((host, kind, port), (uri.Host, uri.HostKind, uri.Port));
    }

    [Theory]
    [InlineData("sip:alice@atlanta.com")]
    [InlineData("sip:alice:secretword@atlanta.com;transport=tcp")]
    [InlineData("sips:alice@atlanta.com?subject=project%20x&priority=urgent")]
    [InlineData("sip:+1-212-555-1212:1234@gateway.com;user=phone")]
    [InlineData("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com")]
    [InlineData("sip:alice;day=tuesday@atlanta.com")]
    [InlineData("sip:sips%3Auser%40example.com@example.net")]
    [InlineData("sip:user%00name@example.com")]
    [InlineData("sip:127.0.0.1;lr;r2=on")]
    [InlineData("sip:%E2%82%ACuro@example.com")]
    [InlineData("sip:[2001:db8::10]:5070;maddr=[2001:db8::20]")]
    public void Should_round_trip(string text)
    {
        var uri = SipUri.Parse(text);
        var again = SipUri.Parse(uri.ToString());

        Assert.Equal(uri, again);
        Assert.Equal(uri.ToString(), again.ToString());
        Assert.Equal(uri.User, again.User);
        Assert.Equal(uri.Parameters, again.Parameters);
    }

    [Fact]
    public void Should_unescape_the_user_as_RFC_4475_esc01_and_escnull_do()
    {
        Assert.Equal("sips:user@example.com", SipUri.Parse("sip:sips%3Auser%40example.com@example.net").User);
        Assert.Equal("user\0name", SipUri.Parse("sip:user%00name@example.com").User);
        Assert.Equal("sip:sips%3Auser%40example.com@example.net", SipUri.Parse("sip:sips%3Auser%40example.com@example.net").ToString());
    }

    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    public void Should_find_equivalent_the_URIs_RFC_3261_calls_equivalent(string a, string b)
    {
        Assert.Equal(SipUri.Parse(a), SipUri.Parse(b));
        Assert.True(AddressUri.Parse(a).Equals(AddressUri.Parse(b)));
    }

    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;newparam=6")]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    public void Should_tell_apart_the_URIs_RFC_3261_calls_different(string a, string b)
    {
        Assert.NotEqual(SipUri.Parse(a), SipUri.Parse(b));
    }

    [Theory]
    [InlineData("sip:alice@atlanta.com ;transport=tcp", 21)]
    [InlineData("sip:alice@atlanta.com:65536", 22)]
    [InlineData("sip:alice@atlanta.com:12a", 22)]
    [InlineData("sip:al%G1ice@atlanta.com", 6)]
    [InlineData("sip:alice@[2001:db8::10", 10)]
    [InlineData("sip:", 4)]
    [InlineData("sip:@host", 4)]
    [InlineData("sip:alice@", 10)]
    [InlineData("sip:alice@ho st", 12)]
    [InlineData("sip:alice@host\u0001", 14)]
    [InlineData("sip:<alice@host>", 4)]
    [InlineData("sip:alice@[nothex]", 10)]
    [InlineData("sip:alice@host;=x", 15)]
    [InlineData("sip:alice@host?noequals", 15)]
    [InlineData("http://example.com", 0)]
    public void Should_reject_malformed_URIs_naming_the_place(string text, int offset)
    {
        var error = Assert.Throws<SipParseException>(() => SipUri.Parse(text));

        Assert.Equal(SipParseError.InvalidUri, error.Reason);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(416, error.StatusCode);
    }

    [Fact]
    public void Should_never_print_the_password_in_an_error()
    {
        var error = Assert.Throws<SipParseException>(() => SipUri.Parse("sip:alice:hunter2@host:99999"));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_build_and_change_uris()
    {
        var uri = new SipUri(false, "alice smith", "Example.com", 5060, [new("transport", "tcp")]);

        Assert.Equal("sip:alice%20smith@example.com:5060;transport=tcp", uri.ToString());
        Assert.Equal("sip:alice%20smith@example.com;transport=tcp;lr", uri.WithPort(null).WithParameter("lr", null).ToString());
        Assert.Equal("sip:alice%20smith@example.com:5060", uri.WithoutParameter("TRANSPORT").ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipUri(false, "a", "h", 70000));
    }

    [Fact]
    public void Should_read_tel_and_opaque_uris()
    {
        var tel = Assert.IsType<TelUri>(AddressUri.Parse("tel:+358-555-1234567;postd=pp22"));
        var local = TelUri.Parse("tel:7042;phone-context=example.com");
        var opaque = Assert.IsType<OpaqueUri>(AddressUri.Parse("nobodyknowsthisscheme:totallyopaqueschemedata"));

        Assert.True(tel.IsGlobal);
        Assert.Equal("pp22", tel.Parameters[0].Value);
        Assert.Equal(tel, TelUri.Parse("tel:+3585551234567;POSTD=PP22"));
        Assert.Equal("example.com", local.Context);
        Assert.Equal(("nobodyknowsthisscheme", "totallyopaqueschemedata"), (opaque.Scheme, opaque.SchemeSpecificPart));
        Assert.Equal(tel, AddressUri.Parse(tel.ToString()));
        Assert.Equal(SipParseError.InvalidUri, Assert.Throws<SipParseException>(() => TelUri.Parse("tel:")).Reason);
        Assert.Equal(SipParseError.InvalidUri, Assert.Throws<SipParseException>(() => AddressUri.Parse("no scheme here")).Reason);
    }

    [Fact]
    public void Should_throw_nothing_but_parse_errors_on_random_text()
    {
        var random = new Random(3261);
        const string alphabet = "sip:@;=?&%[]:.0123456789abcXYZ<> \t\u00e9\u0000-_+";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }
            var text = (random.Next(3) == 0 ? "" : "sip:") + new string(chars);
            try
            {
                var uri = AddressUri.Parse(text);
                Assert.Equal(uri, AddressUri.Parse(uri.ToString()));
            }
            catch (SipParseException)
            {
            }
            AddressUri.TryParse(text, out _);
        }
    }
}
