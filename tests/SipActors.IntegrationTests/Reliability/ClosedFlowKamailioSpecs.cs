using SipActors.IntegrationTests.Peers;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.IntegrationTests.Reliability;

/// <summary>
/// Kamailio closes the idle TCP/WS connection under a registered account (kamailio-short-lifetime.cfg,
/// no keep-alives): the un-REGISTER goes out once more on a new connection and removes the binding,
/// instead of failing (or waiting for Timer F) and leaving it behind.
/// </summary>
public sealed class ClosedFlowKamailioSpecs : IAsyncLifetime
{
    private readonly KamailioFixture _kamailio = new() { ConfigFile = "kamailio-short-lifetime.cfg" };

    public Task InitializeAsync() => _kamailio.InitializeAsync();

    public Task DisposeAsync() => _kamailio.DisposeAsync();

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Should_remove_the_binding_over_a_new_connection_after_kamailio_closed_the_flow(string scheme)
    {
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var port = scheme == "tcp" ? _kamailio.TcpPort : _kamailio.WsPort;
        Assert.True(SipServerTarget.TryParse($"{scheme}://127.0.0.1:{port}", out var target, out var error), error);
        var user = "closed-" + scheme;
        var agent = new SipUserAgent(stack, new SipUserAgentOptions { User = user, Domain = _kamailio.Domain, Target = target!, Password = "pw-" + user });
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionLost += (_, _) => lost.TrySetResult();
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(20)); // Kamailio dropped the idle connection
        Assert.Equal(1, await _kamailio.GetRegisteredUsersAsync()); // the binding outlives the connection

        var result = await agent.UnregisterAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.Success, $"{result.Cause} {result.StatusCode} {result.Error}\n{await _kamailio.DumpLocationsAsync()}");
        Assert.Equal(0, await _kamailio.GetRegisteredUsersAsync());
        await agent.DisposeAsync();
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Should_replace_the_binding_of_a_lost_flow_when_registering_again_over_a_new_one(string scheme)
    {
        // The new connection has a new Contact (another local port, another .invalid host): without
        // removing the old one, Kamailio keeps both until the old expires and forks calls to a dead flow.
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var port = scheme == "tcp" ? _kamailio.TcpPort : _kamailio.WsPort;
        Assert.True(SipServerTarget.TryParse($"{scheme}://127.0.0.1:{port}", out var target, out var error), error);
        var user = "again-" + scheme;
        var agent = new SipUserAgent(stack, new SipUserAgentOptions { User = user, Domain = _kamailio.Domain, Target = target!, Password = "pw-" + user });
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionLost += (_, _) => lost.TrySetResult();
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);
        var firstContact = agent.Contact;
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(20)); // Kamailio dropped the idle connection

        await agent.DisconnectAsync(); // what an account does on a loss, then its recovery:
        await agent.ConnectAsync();
        var again = await agent.RegisterAsync();

        Assert.True(again.Success, $"{again.Cause} {again.StatusCode} {again.Error}");
        Assert.NotEqual(firstContact, agent.Contact);
        Assert.Equal(1, await _kamailio.GetContactsAsync());
        Assert.True((await agent.UnregisterAsync()).Success);
        Assert.Equal(0, await _kamailio.GetContactsAsync());
        await agent.DisposeAsync();
    }
}
