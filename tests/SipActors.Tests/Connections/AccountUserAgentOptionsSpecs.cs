using SipActors.Connections;
using SipActors.Sip;
using SipActors.Sip.Transports;

namespace SipActors.Tests.Connections;

/// <summary>A connect's X-Vinteo-Remote and extra headers become its user agent's extra headers, in order.</summary>
public class AccountUserAgentOptionsSpecs
{
    private static readonly SipServerTarget Target = new(SipTransportKind.Udp, "127.0.0.1", 5060, null);

    [Fact]
    public void Should_put_the_remote_address_first_then_each_extra_header_split_at_its_colon()
    {
        var parameters = new ConnectionParameters
        {
            SipServerIp = "127.0.0.1",
            SipServerUrl = "udp://127.0.0.1:5060",
            RemoteAddress = " 10.0.0.7 ",
            ExtraHeaders = ["X-One: a", "X-Two:b:c "],
        };

        var options = AccountUserAgentOptions.From(parameters, Target, "alice", new ConnectionActorSettings());

        Assert.Equal(
            [new("X-Vinteo-Remote", "10.0.0.7"), new("X-One", "a"), new("X-Two", "b:c")],
            options.ExtraHeaders);
    }

    [Fact]
    public void Should_give_no_extra_headers_when_the_connect_has_none()
    {
        var parameters = new ConnectionParameters { SipServerIp = "127.0.0.1", SipServerUrl = "udp://127.0.0.1:5060" };

        Assert.Empty(AccountUserAgentOptions.From(parameters, Target, "alice", new ConnectionActorSettings()).ExtraHeaders);
    }
}
