using System.Net;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registration;

/// <summary>RFC 3263 target selection against a DNS server of our own on loopback.</summary>
public sealed class SipTargetResolverTests : IDisposable
{
    private readonly LoopbackDnsServer _dns = new LoopbackDnsServer()
        .Srv("_sip._udp.example.test", 20, 0, 5080, "sip2.example.test")
        .Srv("_sip._udp.example.test", 10, 0, 5070, "sip1.example.test")
        .Srv("_sips._tcp.example.test", 10, 0, 5061, "sip1.example.test")
        .A("sip1.example.test", "127.0.0.1")
        .A("sip2.example.test", "127.0.0.2")
        .A("plain.test", "127.0.0.3");

    public void Dispose() => _dns.Dispose();

    private async Task<IReadOnlyList<IPEndPoint>> Resolve(string url)
    {
        Assert.True(SipServerTarget.TryParse(url, out var target, out var error), error);
        return await new SipTargetResolver(_dns.EndPoint).ResolveAsync(target);
    }

    [Fact]
    public async Task Should_follow_srv_records_in_priority_order_when_no_port_is_given()
    {
        var endpoints = await Resolve("sip:example.test");

        Assert.Equal(["127.0.0.1:5070", "127.0.0.2:5080"], endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public async Task Should_use_the_sips_service_for_tls()
    {
        Assert.Equal(["127.0.0.1:5061"], (await Resolve("sips:example.test")).Select(e => e.ToString()));
    }

    [Fact]
    public async Task Should_fall_back_to_the_address_on_the_default_port_without_srv()
    {
        Assert.Equal(["127.0.0.3:5060"], (await Resolve("sip:plain.test")).Select(e => e.ToString()));
    }

    [Fact]
    public async Task Should_skip_srv_when_the_port_is_given()
    {
        Assert.Equal(["127.0.0.1:6000"], (await Resolve("udp://sip1.example.test:6000")).Select(e => e.ToString()));
        Assert.Equal(["127.0.0.1:7000"], (await Resolve("sip:sip1.example.test:7000;transport=tcp")).Select(e => e.ToString()));
    }

    [Fact]
    public async Task Should_take_an_ip_literal_as_it_is_without_asking_dns()
    {
        var queries = _dns.Queries;

        Assert.Equal(["127.0.0.9:5060"], (await Resolve("udp://127.0.0.9:5060")).Select(e => e.ToString()));
        Assert.Equal(queries, _dns.Queries);
    }

    [Fact]
    public async Task Should_say_when_a_name_does_not_resolve()
    {
        var error = await Assert.ThrowsAsync<SipTransportException>(() => Resolve("sip:nowhere.test"));

        Assert.Contains("nowhere.test", error.Message, StringComparison.Ordinal);
    }
}
