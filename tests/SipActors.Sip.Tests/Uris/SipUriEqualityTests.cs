using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

public class SipUriEqualityTests
{
    [Theory]
    // RFC 3261 §19.1.4, the equivalent pairs
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    // RFC 5954 §4: IP addresses compare by value, not by text
    [InlineData("sip:[2001:db8::9:1]", "sip:[2001:db8::9:01]")]
    [InlineData("sip:[0:0:0:0:0:FFFF:129.144.52.38]", "sip:[::FFFF:129.144.52.38]")]
    [InlineData("sip:bob@[2001:DB8:0:0:0:0:0:10]:5060", "sip:bob@[2001:db8::10]:5060")]
    [InlineData("sip:bob@192.0.2.4", "sip:bob@192.000.002.004")]
    // other parameters only count when both URIs have them; names case-insensitive; lr is such a parameter
    [InlineData("sip:alice@atlanta.com;lr", "sip:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com;X=1;y=2", "sip:alice@atlanta.com;x=1;Y=2")]
    [InlineData("sip:alice@atlanta.com;user=PHONE", "sip:alice@atlanta.com;USER=phone")]
    // user and password are compared after unescaping
    [InlineData("sip:alice:se%63ret@atlanta.com", "sip:alice:secret@atlanta.com")]
    [InlineData("sip:alice%3Bday=tuesday@atlanta.com", "sip:alice;day=tuesday@atlanta.com")]
    [InlineData("SIP:alice@atlanta.com", "sip:alice@atlanta.com")]
    public void Should_find_equal_the_uris_RFC_3261_calls_equivalent(string a, string b)
    {
        var x = SipUri.Parse(a);
        var y = SipUri.Parse(b);

        Assert.True(x.Equals(y));
        Assert.True(y.Equals(x));
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
        Assert.True(AddressUri.Parse(a).Equals((object)AddressUri.Parse(b)));
    }

    [Theory]
    // RFC 3261 §19.1.4, the pairs that are not equivalent
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")]
    // the parameters compared even when only one URI has them
    [InlineData("sip:alice@atlanta.com", "sip:alice@atlanta.com;user=phone")]
    [InlineData("sip:alice@atlanta.com", "sip:alice@atlanta.com;ttl=1")]
    [InlineData("sip:alice@atlanta.com", "sip:alice@atlanta.com;method=INVITE")]
    [InlineData("sip:alice@atlanta.com", "sip:alice@atlanta.com;maddr=239.255.255.1")]
    // everything else that must match
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com", "sip:atlanta.com")]
    [InlineData("sip:alice:a@atlanta.com", "sip:alice:A@atlanta.com")]
    [InlineData("sip:alice:@atlanta.com", "sip:alice@atlanta.com")]
    [InlineData("sip:alice@atlanta.com:5060", "sip:alice@atlanta.com:5061")]
    [InlineData("sip:alice@atlanta.com", "sip:alice@atlanta.com.")]
    [InlineData("sip:[2001:db8::10]", "sip:[2001:db8::11]")]
    [InlineData("sip:[::ffff:192.0.2.4]", "sip:192.0.2.4")]
    [InlineData("sip:alice@atlanta.com?subject=a", "sip:alice@atlanta.com?subject=A")]
    [InlineData("sip:alice@atlanta.com?a=1&a=1", "sip:alice@atlanta.com?a=1&b=1")]
    [InlineData("sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;lr=on")]
    public void Should_tell_apart_the_uris_RFC_3261_calls_different(string a, string b)
    {
        var x = SipUri.Parse(a);
        var y = SipUri.Parse(b);

        Assert.False(x.Equals(y));
        Assert.False(y.Equals(x));
    }

    [Fact]
    public void Should_not_be_transitive_as_RFC_3261_warns()
    {
        var plain = SipUri.Parse("sip:carol@chicago.com");
        var on = SipUri.Parse("sip:carol@chicago.com;security=on");
        var off = SipUri.Parse("sip:carol@chicago.com;security=off");

        Assert.Equal(plain, on);
        Assert.Equal(plain, off);
        Assert.NotEqual(on, off);
    }

    [Fact]
    public void Should_never_equal_another_kind_of_uri()
    {
        var sip = SipUri.Parse("sip:+12015550123@example.com;user=phone");

        Assert.False(sip.Equals(AddressUri.Parse("tel:+12015550123")));
        Assert.False(sip.Equals(AddressUri.Parse("sipx:+12015550123@example.com")));
        Assert.False(sip.Equals((object?)null));
        Assert.False(sip.Equals("sip:+12015550123@example.com;user=phone"));
    }

    [Fact]
    public void Should_work_as_a_dictionary_key_by_RFC_equality()
    {
        var set = new HashSet<AddressUri>
        {
            SipUri.Parse("sip:%61lice@atlanta.com;transport=TCP"),
            SipUri.Parse("sip:[2001:db8::9:1]"),
        };

        Assert.Contains(SipUri.Parse("sip:alice@AtLanTa.CoM;Transport=tcp"), set);
        Assert.Contains(SipUri.Parse("sip:[2001:DB8:0::9:0001]"), set);
        Assert.DoesNotContain(SipUri.Parse("sip:alice@atlanta.com"), set);
    }
}
