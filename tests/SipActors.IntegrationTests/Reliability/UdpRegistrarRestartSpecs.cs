using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Events;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Reliability;

/// <summary>
/// Ten thousand UDP accounts under one supervisor, Kamailio (no database) stopped for 10 s and
/// started again without a binding: the stack's server check (default settings) finds it gone,
/// every account re-registers once it answers, within 60 s of the restart and never faster
/// than the supervisor's rate limit, and the accounts send nearly nothing while it is down.
/// </summary>
public sealed class UdpRegistrarRestartSpecs : TestKit, IAsyncLifetime
{
    private const int Accounts = 10_000;
    private const double RateLimit = 1000; // permits per second: the ramp and the recovery each take about 10 s
    private const int MaxConcurrent = 200;
    private readonly KamailioFixture _kamailio = new();
    private readonly ITestOutputHelper _output;
    private SipStack _stack = null!;

    // Ten thousand accounts answer a ConnectAll that nobody waits for: no dead-letter lines for them.
    public UdpRegistrarRestartSpecs(ITestOutputHelper output) : base("akka.log-dead-letters = off", output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        await _kamailio.InitializeAsync();
        _stack = new SipStack(); // the default server check: a probe every 5 s while idle, 4 s timeout, one failure
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _kamailio.DisposeAsync();
    }

    [Fact]
    public async Task Should_register_every_account_again_within_a_minute_of_a_10_second_restart_at_no_more_than_the_rate_limit()
    {
        var events = EventRecording.Start(Sys, typeof(Connecting), typeof(Registered), typeof(Disconnected));
        var supervisor = Sys.ActorOf(ConnectionSupervisor.Props(_stack, new ConnectionSupervisorSettings
        {
            ConnectRateLimit = RateLimit,
            MaxConcurrentConnects = MaxConcurrent,
        }), "accounts");
        var connects = Enumerable.Range(0, Accounts).Select(i => new Connect($"r{i:D5}", new ConnectionParameters
        {
            SipServerIp = _kamailio.Domain,
            SipServerUrl = $"udp://127.0.0.1:{_kamailio.UdpPort}",
            Register = true,
            User = $"r{i:D5}",
            Password = $"pw-r{i:D5}",
            RegisterExpires = 3600, // no refresh falls due in the test: only the server check can find the loss
        })).ToList();
        supervisor.Tell(new ConnectAll(connects));
        await Until(() => Count<Registered>(events) == Accounts, TimeSpan.FromSeconds(90), "every account is registered", events);
        Assert.Equal(Accounts, await _kamailio.GetRegisteredUsersAsync());
        var udp = _stack.GetUdpTransport(IPAddress.Loopback);

        var stopping = DateTimeOffset.UtcNow;
        var sentBefore = udp.DatagramsSent;
        var probesBefore = _stack.UdpServerProbesSent;
        var beforeRestart = events.Count;
        await _kamailio.RestartAsync(TimeSpan.FromSeconds(10));
        var restarted = DateTimeOffset.UtcNow;
        var sentWhileDown = udp.DatagramsSent - sentBefore;
        var probesWhileDown = _stack.UdpServerProbesSent - probesBefore;
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await _kamailio.GetRegisteredUsersAsync()); // no database: every binding is gone

        await Until(() => Count<Registered>(events.Skip(beforeRestart)) == Accounts, TimeSpan.FromSeconds(60), "every account is registered again", events);
        var recoveredAfter = clock.Elapsed;
        await Until(async () => await _kamailio.GetRegisteredUsersAsync() == Accounts, TimeSpan.FromSeconds(60) - recoveredAfter, "Kamailio holds every binding again");

        var after = events.Skip(beforeRestart).ToList();
        var lost = after.OfType<Disconnected>().ToList();
        var attempts = after.OfType<Connecting>().Select(e => e.Time).Order().ToList();
        var registered = after.OfType<Registered>().Select(e => e.Time).Order().ToList();
        _output.WriteLine($"lost noticed {(lost.Min(e => e.Time) - stopping).TotalSeconds:0.0}-{(lost.Max(e => e.Time) - stopping).TotalSeconds:0.0} s after the stop; "
            + $"while down {sentWhileDown} datagrams sent ({probesWhileDown} probes); {attempts.Count} attempts; "
            + $"all {Accounts} registered {recoveredAfter.TotalSeconds:0.0} s after the restart "
            + $"(first {(registered[0] - restarted).TotalSeconds:0.0} s, last {(registered[^1] - restarted).TotalSeconds:0.0} s)");

        Assert.Equal(Accounts, lost.Select(e => e.Account).Distinct().Count()); // each account heard of the loss
        Assert.Equal(Accounts, lost.Count); // once
        // While Kamailio was down the accounts sent nothing of their own: the monitor's probes
        // (an OPTIONS every 5 s, retransmitted at 0.5, 1, 2, 4 s...) are all that went out.
        Assert.True(sentWhileDown < 100, $"{sentWhileDown} datagrams sent while Kamailio was down");
        AssertWithinRate(attempts);
    }

    /// <summary>
    /// Every transport attempt (a <c>connecting</c> event) took a permit: in any window of w seconds
    /// there are at most rate × w of them, plus the token bucket's burst (50 ms of permits, at least 2)
    /// and a margin for the time between a permit and its event on a shared, busy machine.
    /// </summary>
    private static void AssertWithinRate(List<DateTimeOffset> attempts)
    {
        var burst = Math.Max(2, RateLimit * 0.05);
        foreach (var window in new[] { 1.0, 2.0, 5.0 })
        {
            var most = 0;
            var start = 0;
            for (var end = 0; end < attempts.Count; end++)
            {
                while ((attempts[end] - attempts[start]).TotalSeconds > window)
                {
                    start++;
                }
                most = Math.Max(most, end - start + 1);
            }
            var allowed = RateLimit * window + burst + RateLimit * 0.1;
            Assert.True(most <= allowed, $"{most} attempts within {window} s; the rate limit allows {allowed:0}");
        }
    }

    private static int Count<T>(IEnumerable<ConnectionEvent> events) => events.OfType<T>().Count();

    private async Task Until(Func<bool> condition, TimeSpan within, string what, ConcurrentQueue<ConnectionEvent> events)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > within)
            {
                var counts = string.Join(", ", events.GroupBy(e => e.Topic).Select(g => $"{g.Key} {g.Count()}"));
                throw new TimeoutException($"not within {within.TotalSeconds:0} s: {what} ({counts}; Kamailio has {await _kamailio.GetRegisteredUsersAsync()} bindings)\n{_kamailio.LogTail()}");
            }
            await Task.Delay(100);
        }
    }

    private static async Task Until(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"not within {within.TotalSeconds:0} s: {what}");
            }
            await Task.Delay(250);
        }
    }
}
