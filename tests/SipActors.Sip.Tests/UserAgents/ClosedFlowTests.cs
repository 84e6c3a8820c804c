using System.Diagnostics;
using SipActors.Sip.Headers;
using SipActors.Sip.Registration;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;
using Reply = SipActors.Sip.Tests.UserAgents.ScriptedTcpRegistrar.Reply;

namespace SipActors.Sip.Tests.UserAgents;

/// <summary>
/// A request on a connection the server closed: it fails at once instead of after Timer F (32 s),
/// and an un-REGISTER or out-of-dialog request is sent once more on a new connection to the same
/// target (same Call-ID, next CSeq, new branch, the Contact of the binding it removes).
/// </summary>
public sealed class ClosedFlowTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10); // far below Timer F

    [Fact]
    public async Task Should_send_the_unregister_again_on_a_new_connection_when_the_server_closes_the_flow_instead_of_answering()
    {
        await using var registrar = new ScriptedTcpRegistrar((connection, request) => connection == 0 && IsUnregister(request) ? Reply.Close : Reply.Answer);
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var agent = Agent(stack, registrar);
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);

        var clock = Stopwatch.StartNew();
        var result = await agent.UnregisterAsync().WaitAsync(Bound);

        Assert.True(result.Success, $"{result.Cause} {result.Error} after {clock.Elapsed.TotalSeconds:0.0} s");
        var unregisters = registrar.Requests.Where(r => IsUnregister(r.Request)).ToList();
        Assert.Equal([0, 1], unregisters.Select(r => r.Connection));
        var register = registrar.Requests[0].Request;
        var (first, again) = (unregisters[0].Request, unregisters[1].Request);
        Assert.Equal(register.CallId, again.CallId);
        Assert.Equal(first.CSeq!.Value.Number + 1, again.CSeq!.Value.Number);
        Assert.NotEqual(first.Vias[0].Branch, again.Vias[0].Branch);
        Assert.Equal(register.Headers.GetFirst(SipHeaderId.Contact), again.Headers.GetFirst(SipHeaderId.Contact)); // the binding it removes
    }

    [Fact]
    public async Task Should_unregister_over_a_new_connection_when_the_server_closed_the_flow_under_the_registered_account()
    {
        await using var registrar = new ScriptedTcpRegistrar((_, _) => Reply.Answer);
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var agent = Agent(stack, registrar);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionLost += (_, _) => lost.TrySetResult();
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);
        registrar.CloseConnection(0);
        await lost.Task.WaitAsync(Bound);

        var result = await agent.UnregisterAsync().WaitAsync(Bound);

        Assert.True(result.Success, $"{result.Cause} {result.Error}");
        var unregister = Assert.Single(registrar.Requests, r => IsUnregister(r.Request));
        Assert.Equal(1, unregister.Connection);
        Assert.Equal(registrar.Requests[0].Request.CallId, unregister.Request.CallId);
    }

    [Fact]
    public async Task Should_fail_fast_when_the_request_on_the_new_connection_fails_too()
    {
        await using var registrar = new ScriptedTcpRegistrar((_, request) => IsUnregister(request) ? Reply.Close : Reply.Answer);
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var agent = Agent(stack, registrar);
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);

        var result = await agent.UnregisterAsync().WaitAsync(Bound);

        Assert.False(result.Success);
        Assert.Equal(RegistrationFailureCause.ConnectionError, result.Cause);
        Assert.Equal(2, registrar.Requests.Count(r => IsUnregister(r.Request))); // once more, not again and again
    }

    [Fact]
    public async Task Should_send_an_out_of_dialog_request_again_on_a_new_connection_when_its_flow_was_closed()
    {
        await using var registrar = new ScriptedTcpRegistrar((connection, request) => connection == 0 && request.Method == SipMethod.Options ? Reply.Close : Reply.Answer);
        await using var stack = new SipStack { KeepAlive = KeepAliveOptions.Off };
        var agent = Agent(stack, registrar);
        await agent.ConnectAsync();
        Assert.True((await agent.RegisterAsync()).Success);

        var outcome = await agent.SendOptionsAsync($"sip:{registrar.EndPoint}").WaitAsync(Bound);

        Assert.True(outcome.Success, outcome.Error);
        var options = registrar.Requests.Where(r => r.Request.Method == SipMethod.Options).ToList();
        Assert.Equal([0, 1], options.Select(r => r.Connection));
        Assert.Equal(options[0].Request.CallId, options[1].Request.CallId);
        Assert.Equal(options[0].Request.CSeq!.Value.Number + 1, options[1].Request.CSeq!.Value.Number);
        Assert.NotEqual(options[0].Request.Vias[0].Branch, options[1].Request.Vias[0].Branch);
    }

    private static bool IsUnregister(SipRequest request) => request.Method == SipMethod.Register && request.Headers.GetFirst(SipHeaderId.Expires) == "0";

    private static SipUserAgent Agent(SipStack stack, ScriptedTcpRegistrar registrar)
    {
        Assert.True(SipServerTarget.TryParse($"tcp://{registrar.EndPoint}", out var target, out var error), error);
        return new SipUserAgent(stack, new SipUserAgentOptions { User = "closed", Domain = "127.0.0.1", Target = target! });
    }
}
