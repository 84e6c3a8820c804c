using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

public sealed class SipServerTargetTests
{
    [Theory]
    [InlineData("udp://user:SECRET@127.0.0.1:5060")]
    [InlineData("ws://user:SECRET@127.0.0.1:8080/ws")]
    [InlineData("tls://SECRET@127.0.0.1")]
    [InlineData("sip:user:SECRET@127.0.0.1;transport=tcp")]
    [InlineData("user:SECRET@127.0.0.1:5090")]
    public void Should_refuse_credentials_in_the_address_without_repeating_them(string url)
    {
        Assert.False(SipServerTarget.TryParse(url, out var target, out var error));
        Assert.Null(target);
        Assert.Contains("credentials", error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("udp://127.0.0.1:5060", SipTransportKind.Udp)]
    [InlineData("sip:registrar@127.0.0.1;transport=tcp", SipTransportKind.Tcp)]
    [InlineData("127.0.0.1:5090", SipTransportKind.Wss)]
    public void Should_accept_addresses_without_credentials(string url, SipTransportKind kind)
    {
        Assert.True(SipServerTarget.TryParse(url, out var target, out var error), error);
        Assert.Equal(kind, target.Kind);
    }
}
