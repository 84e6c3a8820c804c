using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>The accounts of one server share one parsed target (SipTargetResolver.TryGetTarget).</summary>
public class SharedServerTargetTests
{
    [Theory]
    [InlineData("udp://127.0.0.1:25170")]
    [InlineData("sip:127.0.0.1:5070;transport=tcp")]
    [InlineData("wss://127.0.0.1:8443/ws")]
    [InlineData("127.0.0.1:8443")]
    public void Should_give_every_caller_of_the_same_address_one_target_equal_to_a_fresh_parse(string url)
    {
        Assert.True(SipTargetResolver.TryGetTarget(url, out var first, out _));
        Assert.True(SipTargetResolver.TryGetTarget(new string(url.AsSpan()), out var second, out _)); // equal text, another string

        Assert.Same(first, second);
        Assert.True(SipServerTarget.TryParse(url, out var fresh, out _));
        Assert.Equal(fresh, first);
        Assert.Equal(fresh.PortGiven, first.PortGiven);
    }

    [Fact]
    public void Should_keep_different_addresses_apart()
    {
        Assert.True(SipTargetResolver.TryGetTarget("udp://127.0.0.1:25171", out var a, out _));
        Assert.True(SipTargetResolver.TryGetTarget("tcp://127.0.0.1:25171", out var b, out _));

        Assert.Equal(SipTransportKind.Udp, a.Kind);
        Assert.Equal(SipTransportKind.Tcp, b.Kind);
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("ftp://127.0.0.1", "unknown scheme")]
    [InlineData("udp://alice:secret@127.0.0.1", "has credentials")]
    public void Should_refuse_what_the_parser_refuses_with_its_error_every_time(string? url, string expected)
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.False(SipTargetResolver.TryGetTarget(url, out var target, out var error));
            Assert.Null(target);
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Should_still_parse_past_its_capacity()
    {
        for (var i = 0; i < SipTargetResolver.SharedTargetCapacity + 10; i++)
        {
            var port = 10000 + i;
            Assert.True(SipTargetResolver.TryGetTarget($"udp://127.0.0.1:{port}", out var target, out _));
            Assert.Equal(port, target.Port);
        }
    }
}
