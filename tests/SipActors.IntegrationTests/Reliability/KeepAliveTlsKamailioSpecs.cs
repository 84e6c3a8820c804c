using SipActors.IntegrationTests.Peers;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.IntegrationTests.Reliability;

/// <summary>
/// Kamailio answers our keep-alives over TLS (CRLF pong) and WSS (pong frames): with a pong
/// timeout shorter than the hold, a flow whose pings went unanswered would be declared dead.
/// </summary>
public sealed class KeepAliveTlsKamailioSpecs : IAsyncLifetime
{
    private readonly KamailioFixture _kamailio = new();

    public Task InitializeAsync() => _kamailio.InitializeAsync();

    public Task DisposeAsync() => _kamailio.DisposeAsync();

    [Theory]
    [InlineData("tls")]
    [InlineData("wss")]
    public async Task Should_get_answers_to_keep_alives_and_keep_the_flow(string scheme)
    {
        await using var stack = new SipStack(tls: new TlsOptions { TrustedCertificate = _kamailio.Certificate })
        {
            KeepAlive = new KeepAliveOptions { Interval = TimeSpan.FromMilliseconds(500), PongTimeout = TimeSpan.FromSeconds(1) },
        };
        var port = scheme == "tls" ? _kamailio.TlsPort : _kamailio.WssPort;
        Assert.True(SipServerTarget.TryParse($"{scheme}://127.0.0.1:{port}", out var target, out var error), error);
        var user = "ka-" + scheme;
        var agent = new SipUserAgent(stack, new SipUserAgentOptions { User = user, Domain = _kamailio.Domain, Target = target!, Password = "pw-" + user });
        var losses = 0;
        agent.ConnectionLost += (_, _) => Interlocked.Increment(ref losses);
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);

        await Task.Delay(TimeSpan.FromSeconds(4)); // about eight pings, each answered within 1 s
        var unregistered = await agent.UnregisterAsync();

        Assert.Equal(0, losses);
        Assert.True(unregistered.Success, unregistered.Error);
        Assert.Equal(0, await _kamailio.GetRegisteredUsersAsync());
        await agent.DisposeAsync();
    }
}
