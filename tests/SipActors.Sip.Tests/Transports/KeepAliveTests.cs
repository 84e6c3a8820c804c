using System.Diagnostics;
using SipActors.Sip.Registrar;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.Transports;

/// <summary>
/// Client keep-alives on TCP and WS flows, started by every connect: a peer that stops answering
/// pings is found within interval + timeout and reported once; a peer that answers keeps the flow.
/// </summary>
public sealed class KeepAliveTests
{
    private static readonly KeepAliveOptions Quick = new() { Interval = TimeSpan.FromMilliseconds(300), PongTimeout = TimeSpan.FromMilliseconds(400) };

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Should_report_a_peer_that_never_answers_pings_as_lost_within_interval_plus_timeout(string scheme)
    {
        await using var peer = new SilentPeer(webSocket: scheme == "ws");
        await using var stack = new SipStack { KeepAlive = Quick };
        var agent = Agent(stack, $"{scheme}://{peer.EndPoint}");
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var losses = 0;
        agent.ConnectionLost += (_, e) =>
        {
            Interlocked.Increment(ref losses);
            lost.TrySetResult(e);
        };

        await agent.ConnectAsync();
        var connected = Stopwatch.StartNew();
        var error = await lost.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var after = connected.Elapsed;
        await Task.Delay(800); // nothing more is reported for the same loss

        Assert.NotNull(error);
        Assert.Equal(1, losses);
        // Within interval + timeout, with room for a busy shared machine (but far less than Timer F or TCP's own timeouts).
        Assert.True(after < TimeSpan.FromSeconds(5), $"lost after {after.TotalSeconds:0.0} s");
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Should_keep_a_flow_whose_peer_answers_pings_and_register_over_it(string scheme)
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
        {
            TcpEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            WsEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
        });
        await using var stack = new SipStack { KeepAlive = Quick };
        var endpoint = scheme == "tcp" ? registrar.TcpEndPoint! : registrar.WsEndPoint!;
        var agent = Agent(stack, $"{scheme}://{endpoint}");
        var losses = 0;
        agent.ConnectionLost += (_, _) => Interlocked.Increment(ref losses);

        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // several ping/pong rounds
        var unregistered = await agent.UnregisterAsync();

        Assert.Equal(0, losses);
        Assert.True(unregistered.Success, unregistered.Error);
        Assert.Empty(registrar.GetBindings("ka"));
        await agent.DisposeAsync();
    }

    [Fact]
    public void Should_draw_each_interval_between_80_and_100_percent()
    {
        var options = new KeepAliveOptions { Interval = TimeSpan.FromSeconds(30) };
        var random = new Random(5);

        var draws = Enumerable.Range(0, 1000).Select(_ => options.NextInterval(random).TotalSeconds).ToArray();

        Assert.All(draws, d => Assert.InRange(d, 24, 30));
        Assert.True(draws.Max() - draws.Min() > 5, "intervals are spread");
        Assert.False(KeepAliveOptions.Off.Enabled);
    }

    private static SipUserAgent Agent(SipStack stack, string url)
    {
        Assert.True(SipServerTarget.TryParse(url, out var target, out var error), error);
        return new SipUserAgent(stack, new SipUserAgentOptions { User = "ka", Domain = "127.0.0.1", Target = target!, Password = "pw-ka" });
    }
}
