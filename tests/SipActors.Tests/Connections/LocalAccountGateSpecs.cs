using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using Xunit.Abstractions;

namespace SipActors.Tests.Connections;

/// <summary>The supervisor's lock-free gate on a given clock: rate, burst, in-flight bound, order, what a stopped account gives back, the counts.</summary>
public sealed class LocalAccountGateSpecs(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    private TimeSpan _now = TimeSpan.FromSeconds(100);
    private readonly List<(TimeSpan Delay, Action Tick)> _scheduled = [];

    private LocalAccountGate Gate(double rate, int maxInFlight) => new(rate, maxInFlight, () => _now, (delay, tick) => _scheduled.Add((delay, tick)));

    /// <summary>Runs the ticks the gate asked for, as the scheduler would once their time came.</summary>
    private void RunTicks()
    {
        var due = _scheduled.ToList();
        _scheduled.Clear();
        foreach (var (_, tick) in due)
        {
            tick();
        }
    }

    private static IReadOnlyList<int> Granted(Akka.TestKit.TestProbe probe)
        => probe.ReceiveWhile(TimeSpan.FromMilliseconds(200), o => ((PermitGranted)o).Generation);

    [Fact]
    public void Should_grant_the_burst_at_once_then_the_rate_in_order_of_request()
    {
        var gate = Gate(rate: 100, maxInFlight: 1000);
        var probe = CreateTestProbe();
        for (var i = 0; i < 20; i++)
        {
            gate.RequestPermit(probe.Ref, $"a{i}", generation: i);
        }

        var first = Granted(probe);
        _now += TimeSpan.FromMilliseconds(10);
        RunTicks();
        var tenMsLater = Granted(probe);
        _now += TimeSpan.FromSeconds(1);
        RunTicks();
        var secondLater = Granted(probe);

        Assert.Equal([0, 1, 2, 3, 4], first); // 50 ms worth of 100/s
        Assert.Equal([5], tenMsLater);
        Assert.Equal([6, 7, 8, 9, 10], secondLater); // the bucket holds a burst, not a second's worth
        Assert.Equal(9, gate.Waiting);
        Assert.Single(_scheduled); // one tick pending while requests wait on the rate
    }

    [Fact]
    public void Should_hold_no_more_in_flight_than_the_bound_until_one_is_released_once()
    {
        var gate = Gate(rate: 10_000, maxInFlight: 2);
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        gate.RequestPermit(a.Ref, "a", 1);
        gate.RequestPermit(b.Ref, "b", 1);
        gate.RequestPermit(c.Ref, "c", 1);

        a.ExpectMsg<PermitGranted>();
        b.ExpectMsg<PermitGranted>();
        c.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(_scheduled); // the bound, not the rate, holds c: a release serves it, no tick
        gate.ReleasePermit(a.Ref, "a");
        gate.ReleasePermit(a.Ref, "a"); // once per permit: the second frees nothing

        c.ExpectMsg<PermitGranted>();
        Assert.Equal(2, gate.InFlight);
    }

    [Fact]
    public void Should_take_back_the_permits_of_an_account_that_stops_and_skip_its_waiting_request()
    {
        var gate = Gate(rate: 10_000, maxInFlight: 1);
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        gate.RequestPermit(a.Ref, "a", 1); // granted, then a stops before giving it back
        gate.RequestPermit(b.Ref, "b", 1); // waits, then b stops while waiting
        gate.RequestPermit(c.Ref, "c", 1);
        a.ExpectMsg<PermitGranted>();

        gate.Stopped(b.Ref, "b");
        gate.Stopped(a.Ref, "a");

        c.ExpectMsg<PermitGranted>();
        b.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal((1, 0), (gate.InFlight, gate.Waiting));
    }

    [Fact]
    public void Should_count_accounts_per_state_from_their_reports()
    {
        var gate = Gate(rate: 100, maxInFlight: 10);
        var probe = CreateTestProbe();
        foreach (var id in new[] { "a", "b", "c" })
        {
            gate.Add(id);
        }
        gate.StatusChanged(probe.Ref, "a", ConnectionStatus.Connecting);
        gate.StatusChanged(probe.Ref, "a", ConnectionStatus.Registered);
        gate.StatusChanged(probe.Ref, "b", ConnectionStatus.Registered);
        gate.StatusChanged(probe.Ref, "b", ConnectionStatus.Registered); // the same state twice counts once
        gate.Stopped(probe.Ref, "c");

        var status = gate.Status();

        Assert.Equal(2, status.Accounts);
        Assert.Equal(2, status.Count(ConnectionStatus.Registered));
        Assert.Equal(0, status.Count(ConnectionStatus.Disconnected));
        Assert.Equal(0, status.Count(ConnectionStatus.Connecting));
    }

    [Fact]
    public void Should_tell_the_host_of_a_restart_on_behalf_of_the_account()
    {
        var host = CreateTestProbe();
        var account = CreateTestProbe();
        var gate = new LocalAccountGate(100, 10, () => _now, (_, _) => { }, host.Ref);

        gate.Restarted(account.Ref, "a");

        Assert.Equal("a", host.ExpectMsg<AccountRestarted>().Account.Value);
        Assert.Equal(account.Ref, host.LastSender);
    }

    [Fact]
    public async Task Should_never_exceed_the_bound_with_many_threads_asking_and_releasing_at_once()
    {
        var gate = Gate(rate: 1e9, maxInFlight: 8);
        var grants = new Counter();
        var accounts = Enumerable.Range(0, 64).Select(i => (Id: new AccountId($"t{i}"), Ref: Sys.ActorOf(Props.Create(() => new Granter(gate, grants)), $"t{i}"))).ToList();
        foreach (var (id, actor) in accounts)
        {
            gate.Add(id);
        }

        // Each account asks 50 times from a thread of its own; its actor gives each grant back on the thread pool.
        await Task.WhenAll(accounts.Select(a => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                gate.RequestPermit(a.Ref, a.Id, i);
            }
        })));
        await AwaitConditionAsync(() => Task.FromResult(grants.Total == 64 * 50), TimeSpan.FromSeconds(20));

        Assert.InRange(grants.Peak, 1, 8);
        await AwaitConditionAsync(() => Task.FromResult(gate.InFlight == 0 && gate.Waiting == 0), TimeSpan.FromSeconds(5));
    }

    private sealed class Counter
    {
        private int _peak;
        private int _total;

        public int Peak => Volatile.Read(ref _peak);
        public int Total => Volatile.Read(ref _total);

        /// <summary>A grant arrived while the gate counted <paramref name="inFlight"/> permits held.</summary>
        public void Granted(int inFlight)
        {
            int peak;
            while (inFlight > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, inFlight, peak) != peak)
            {
            }
            Interlocked.Increment(ref _total);
        }
    }

    private sealed class Granter : ReceiveActor
    {
        public Granter(LocalAccountGate gate, Counter counter)
        {
            var id = new AccountId(Self.Path.Name);
            Receive<PermitGranted>(_ =>
            {
                counter.Granted(gate.InFlight);
                gate.ReleasePermit(Self, id);
            });
        }
    }
}
