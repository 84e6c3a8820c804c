using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Registration;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.UserAgents;

/// <summary>
/// The stack's UDP server check on a fake clock against a small fake server: one probe per server
/// and interval while it is idle, one unanswered probe declares it lost for every account on it,
/// a timed-out transaction of any account probes at once, and while the server is unreachable a
/// connect sends nothing of its own and waits for a probe to be answered.
/// </summary>
public sealed class UdpServerMonitorTests : IAsyncLifetime
{
    private static readonly TimeSpan RealWait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly long _start;
    private readonly FakeUdpServer _server = new();
    private SipStack _stack = null!;

    public UdpServerMonitorTests() => _start = _time.GetTimestamp();

    public Task InitializeAsync()
    {
        _stack = Stack(TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    private SipStack Stack(TimeSpan interval) => new(timeProvider: _time)
    {
        UdpServerCheck = new UdpServerCheckOptions { Interval = interval, Timeout = TimeSpan.FromSeconds(4), FailuresToLose = 1 },
    };

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Should_probe_an_idle_server_once_per_interval_whatever_the_number_of_accounts()
    {
        var agents = await ConnectAsync(_stack, 3);
        Assert.Equal(1, _server.OptionsRequests); // the three connects shared one OPTIONS

        await AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Equal(1, _server.OptionsRequests); // not idle long enough yet

        await AdvanceAsync(TimeSpan.FromSeconds(2)); // t = 6 s: one probe
        await Until(() => _server.OptionsRequests == 2 && _stack.UdpServerAnsweredRecently(_server.EndPoint), "the first probe is answered");
        await AdvanceAsync(TimeSpan.FromSeconds(5)); // t = 11 s: the next one
        await Until(() => _server.OptionsRequests == 3 && _stack.UdpServerAnsweredRecently(_server.EndPoint), "the second probe is answered");

        Assert.Equal(3, _stack.UdpServerProbesSent); // the connects' shared one and two idle probes
        Assert.Equal(3, _server.OptionsRequests);
        Assert.All(agents, a => Assert.NotNull(a.LocalEndPoint));
    }

    [Fact]
    public async Task Should_tell_every_account_once_when_one_probe_goes_unanswered()
    {
        var agents = await ConnectAsync(_stack, 3);
        var lost = Lost(agents);
        _server.Silent = true;

        await AdvanceAsync(TimeSpan.FromSeconds(6)); // the probe goes out, unanswered
        await Until(() => _server.OptionsRequests == 2, "the probe is sent");
        Assert.Empty(lost);
        await AdvanceAsync(TimeSpan.FromSeconds(4.5)); // its timeout passes

        await Until(() => lost.Count == 3, "every account hears of the loss");
        Assert.All(lost.Values, e => Assert.Contains("stopped answering", e!.Message, StringComparison.Ordinal));
        Assert.True(_stack.IsUdpServerUnreachable(_server.EndPoint));
        await AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Equal(3, lost.Count); // once each
    }

    [Fact]
    public async Task Should_not_take_a_server_that_sends_traffic_for_lost_when_it_answers_a_probe_late()
    {
        var agents = await ConnectAsync(_stack, 2);
        var lost = Lost(agents);
        _server.AnswerOptions = false; // as a loaded proxy: the probe's answer comes too late, or never
        var ourSocket = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, agents[0].LocalEndPoint!.Port);

        await AdvanceAsync(TimeSpan.FromSeconds(6)); // the probe goes out
        await Until(() => _server.OptionsRequests == 2, "the probe is sent");
        // While the probe waits, the server relays traffic to the accounts (a keep-alive stands for it here).
        await _server.SendAsync("\r\n\r\n"u8.ToArray(), ourSocket);
        await Task.Delay(200);
        await AdvanceAsync(TimeSpan.FromSeconds(4.5)); // the probe's timeout passes
        await Task.Delay(200);
        Assert.Empty(lost);
        Assert.False(_stack.IsUdpServerUnreachable(_server.EndPoint));

        // Silent for real: the next probe's timeout loses it, for both accounts.
        await AdvanceAsync(TimeSpan.FromSeconds(6));
        await Until(() => _server.OptionsRequests == 3, "the next probe is sent");
        await AdvanceAsync(TimeSpan.FromSeconds(4.5));
        await Until(() => lost.Count == 2, "both accounts hear of the loss");
    }

    [Fact]
    public async Task Should_keep_connects_to_an_unreachable_server_quiet_until_a_probe_is_answered()
    {
        var agents = await ConnectAsync(_stack, 3);
        var lost = Lost(agents);
        _server.Silent = true;
        await AdvanceAsync(TimeSpan.FromSeconds(6));
        await Until(() => _server.OptionsRequests == 2, "the probe is sent");
        await AdvanceAsync(TimeSpan.FromSeconds(4.5));
        await Until(() => lost.Count == 3, "the server is lost");
        foreach (var agent in agents)
        {
            await agent.DisconnectAsync(); // as the account actor does on a loss
        }

        var reconnects = agents.Select(a => a.ConnectAsync()).ToArray();
        using var cancelled = new CancellationTokenSource();
        var abandoned = Agent(_stack, "gives-up").ConnectAsync(cancelled.Token);
        await Task.Delay(200);
        Assert.Equal(2, _server.OptionsRequests); // no connect sent an OPTIONS of its own
        Assert.All(reconnects, t => Assert.False(t.IsCompleted));
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        await AdvanceAsync(TimeSpan.FromSeconds(5.5)); // still down: the monitor probes, once per interval, for all of them
        await Until(() => _server.OptionsRequests > 2, "the monitor probes for the waiting connects");
        Assert.InRange(_server.OptionsRequests, 3, 4);
        Assert.All(reconnects, t => Assert.False(t.IsCompleted));

        _server.Silent = false;
        await AdvanceAsync(TimeSpan.FromSeconds(5.5));
        await Task.WhenAll(reconnects).WaitAsync(RealWait);

        Assert.Equal(_stack.UdpServerProbesSent, _server.OptionsRequests); // every OPTIONS was the monitor's
        Assert.False(_stack.IsUdpServerUnreachable(_server.EndPoint));
    }

    [Fact]
    public async Task Should_probe_at_once_when_a_transaction_of_an_account_times_out()
    {
        await using var stack = Stack(TimeSpan.FromSeconds(60)); // no scheduled probe within the test
        var agents = await ConnectAsync(stack, 2);
        var lost = Lost(agents);
        _server.AnswerRegister = false;

        var register = agents[0].RegisterAsync();
        await Until(() => _server.RegisterDatagrams >= 1, "the REGISTER is sent");
        await AdvanceAsync(TimeSpan.FromSeconds(33)); // Timer F

        var result = await register.WaitAsync(RealWait);
        Assert.Equal(RegistrationFailureCause.RequestTimeout, result.Cause);
        await Until(() => _server.OptionsRequests == 2, "the timeout triggers a probe");
        await Until(() => stack.UdpServerAnsweredRecently(_server.EndPoint), "the probe is answered");
        Assert.Empty(lost); // the server answered the probe: one account's lost transaction is not a lost server

        _server.Silent = true;
        var sent = _server.RegisterDatagrams;
        var second = agents[1].RegisterAsync();
        await Until(() => _server.RegisterDatagrams > sent, "the second REGISTER is sent");
        await AdvanceAsync(TimeSpan.FromSeconds(33)); // Timer F again, then an unanswered probe
        await Until(() => _server.OptionsRequests == 3, "the timeout triggers a probe");
        await AdvanceAsync(TimeSpan.FromSeconds(4.5));

        await Until(() => lost.Count == 2, "both accounts hear of the loss");
        Assert.Equal(RegistrationFailureCause.RequestTimeout, (await second.WaitAsync(RealWait)).Cause);
    }

    private async Task<SipUserAgent[]> ConnectAsync(SipStack stack, int count)
    {
        var agents = Enumerable.Range(0, count).Select(i => Agent(stack, $"u{i}")).ToArray();
        await Task.WhenAll(agents.Select(a => a.ConnectAsync())).WaitAsync(RealWait);
        return agents;
    }

    private SipUserAgent Agent(SipStack stack, string user)
    {
        SipServerTarget.TryParse($"udp://{_server.EndPoint}", out var target, out _);
        return new SipUserAgent(stack, new SipUserAgentOptions { User = user, Domain = "127.0.0.1", Target = target!, Password = "pw-" + user });
    }

    private static System.Collections.Concurrent.ConcurrentDictionary<SipUserAgent, Exception?> Lost(IEnumerable<SipUserAgent> agents)
    {
        var lost = new System.Collections.Concurrent.ConcurrentDictionary<SipUserAgent, Exception?>();
        foreach (var agent in agents)
        {
            agent.ConnectionLost += (a, e) =>
            {
                if (!lost.TryAdd(a, e))
                {
                    throw new InvalidOperationException("ConnectionLost raised twice");
                }
            };
        }
        return lost;
    }

    /// <summary>Moves the fake clock in small steps, letting the real sockets and continuations keep up between them.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done < by; done += step)
        {
            _time.Advance(step);
            await Task.Delay(2);
        }
    }

    private async Task Until(Func<bool> condition, string what) => await Until(condition, what,
        () => $"OPTIONS {_server.OptionsRequests}, REGISTER datagrams {_server.RegisterDatagrams}, probes {_stack.UdpServerProbesSent}, t = {_time.GetElapsedTime(_start).TotalSeconds:0.#} s");


    private static async Task Until(Func<bool> condition, string what, Func<string>? detail)
    {
        var deadline = DateTime.UtcNow + RealWait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting until " + what + (detail is null ? "" : " (" + detail() + ")"));
            }
            await Task.Delay(10);
        }
    }
}
