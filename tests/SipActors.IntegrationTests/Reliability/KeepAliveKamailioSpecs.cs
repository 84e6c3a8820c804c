using System.Collections.Concurrent;
using System.Diagnostics;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Reliability;

/// <summary>
/// Against a Kamailio that closes TCP/WS connections idle for 3 s (kamailio-short-lifetime.cfg):
/// without keep-alives it drops an account's flow under it; with them (CRLF pings on TCP,
/// WebSocket ping frames on WS) accounts held well past the lifetime stay registered and
/// un-REGISTER over their own flow, leaving no binding.
/// </summary>
public sealed class KeepAliveKamailioSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(8); // well past the 3 s lifetime
    private static readonly KeepAliveOptions EverySecond = new() { Interval = TimeSpan.FromSeconds(1), PongTimeout = TimeSpan.FromSeconds(2) };
    private readonly KamailioFixture _kamailio = new() { ConfigFile = "kamailio-short-lifetime.cfg" };
    private readonly ITestOutputHelper _output;

    public KeepAliveKamailioSpecs(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => _kamailio.InitializeAsync();

    public Task DisposeAsync() => _kamailio.DisposeAsync();

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Should_have_kamailio_drop_an_idle_flow_without_keep_alives(string scheme)
    {
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var agent = Agent(stack, scheme, "idle-" + scheme);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionLost += (_, _) => lost.TrySetResult();
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);

        // The variant's point: Kamailio closes the idle connection under the registered account.
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Should_keep_accounts_registered_past_the_lifetime_and_unregister_them_cleanly(string scheme)
    {
        await using var stack = new SipStack { KeepAlive = EverySecond };
        var agents = Enumerable.Range(0, 20).Select(i => Agent(stack, scheme, $"kept-{scheme}-{i}")).ToArray();
        var losses = 0;
        foreach (var agent in agents)
        {
            agent.ConnectionLost += (_, _) => Interlocked.Increment(ref losses);
        }
        await Task.WhenAll(agents.Select(a => a.ConnectAsync()));
        var registered = await Task.WhenAll(agents.Select(a => a.RegisterAsync()));
        Assert.All(registered, r => Assert.True(r.Success, r.Error));
        Assert.Equal(agents.Length, await _kamailio.GetRegisteredUsersAsync());

        await Task.Delay(Hold);
        var unregistered = await Task.WhenAll(agents.Select(a => a.UnregisterAsync()));

        Assert.Equal(0, losses);
        Assert.All(unregistered, r => Assert.True(r.Success, $"{r.Cause} {r.Error}"));
        Assert.Equal(0, await _kamailio.GetRegisteredUsersAsync());
    }

    [Fact]
    public async Task Should_hold_2000_websocket_accounts_past_the_lifetime_and_leave_no_binding()
    {
        const int count = 2000;
        await using var stack = new SipStack { KeepAlive = EverySecond };
        var agents = Enumerable.Range(0, count).Select(i => Agent(stack, "ws", $"ws-{i:D4}")).ToArray();
        var losses = 0;
        foreach (var agent in agents)
        {
            agent.ConnectionLost += (_, _) => Interlocked.Increment(ref losses);
        }
        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentBag<string>();
        await ForEachAsync(agents, async a =>
        {
            await a.ConnectAsync();
            var r = await a.RegisterAsync();
            if (!r.Success)
            {
                failures.Add($"{a}: {r.Cause} {r.Error}");
            }
        });
        var ramp = clock.Elapsed;
        Assert.Empty(failures);
        Assert.Equal(count, await _kamailio.GetRegisteredUsersAsync());

        await Task.Delay(Hold);
        clock.Restart();
        await ForEachAsync(agents, async a =>
        {
            var r = await a.UnregisterAsync();
            if (!r.Success)
            {
                failures.Add($"{a}: {r.Cause} {r.Error}");
            }
        });
        var teardown = clock.Elapsed;
        _output.WriteLine($"{count} WS accounts: registered in {ramp.TotalSeconds:0.0} s, held {Hold.TotalSeconds} s (lifetime 3 s), "
            + $"un-registered in {teardown.TotalSeconds:0.0} s, {losses} flows lost, {failures.Count} failures");

        Assert.Equal(0, losses);
        Assert.Empty(failures);
        Assert.Equal(0, await _kamailio.GetRegisteredUsersAsync());
        await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
    }

    private static async Task ForEachAsync(IEnumerable<SipUserAgent> agents, Func<SipUserAgent, Task> action)
    {
        using var gate = new SemaphoreSlim(100);
        await Task.WhenAll(agents.Select(async a =>
        {
            await gate.WaitAsync();
            try
            {
                await action(a);
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(TimeSpan.FromSeconds(90));
    }

    private SipUserAgent Agent(SipStack stack, string scheme, string user)
    {
        var port = scheme == "tcp" ? _kamailio.TcpPort : _kamailio.WsPort;
        Assert.True(SipServerTarget.TryParse($"{scheme}://127.0.0.1:{port}", out var target, out var error), error);
        return new SipUserAgent(stack, new SipUserAgentOptions
        {
            User = user, Domain = _kamailio.Domain, Target = target!, Password = "pw-" + user, Expires = 300,
        });
    }
}
