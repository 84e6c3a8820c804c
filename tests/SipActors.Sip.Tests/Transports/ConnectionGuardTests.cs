using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>The connection limits on a fake clock, with connections whose counters the test moves.</summary>
public sealed class ConnectionGuardTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipTimerWheel _wheel;

    public ConnectionGuardTests() => _wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 64, _time);

    public void Dispose() => _wheel.Dispose();

    private sealed class FakeConnection : IGuardedConnection
    {
        public long ReadCount { get; set; }
        public long UnfinishedMessageSince { get; set; }
        public int Aborts { get; private set; }
        public void Abort() => Aborts++;
    }

    private ConnectionGuard Guard(int max = 100, double idleSeconds = 300, double incompleteSeconds = 10)
        => new(_wheel, _time, max,
            idleSeconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(idleSeconds),
            incompleteSeconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(incompleteSeconds));

    private void Run(TimeSpan span, Action? eachStep = null)
    {
        for (var left = span; left > TimeSpan.Zero; left -= TimeSpan.FromMilliseconds(100))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            eachStep?.Invoke();
        }
    }

    [Fact]
    public void Should_admit_up_to_the_maximum_refuse_and_count_beyond_and_free_a_place_on_leave()
    {
        using var guard = Guard(max: 2);

        var first = guard.TryAdmit();
        var second = guard.TryAdmit();
        var third = guard.TryAdmit();
        guard.Leave(null);
        var afterLeave = guard.TryAdmit();

        Assert.Equal((true, true, false, true), (first, second, third, afterLeave));
        Assert.Equal(2, guard.OpenConnections);
        Assert.Equal(1, guard.RefusedConnections);
    }

    [Fact]
    public void Should_close_a_connection_silent_for_the_idle_timeout_and_not_one_that_reads()
    {
        using var guard = Guard(idleSeconds: 300);
        var silent = new FakeConnection();
        var talking = new FakeConnection();
        guard.TryAdmit();
        guard.TryAdmit();
        guard.Track(silent);
        guard.Track(talking);
        var step = 0;

        Run(TimeSpan.FromSeconds(299), () => { if (++step % 600 == 0) talking.ReadCount++; }); // a keep-alive a minute
        var beforeTimeout = silent.Aborts;
        Run(TimeSpan.FromSeconds(2), () => { if (++step % 600 == 0) talking.ReadCount++; });

        Assert.Equal(0, beforeTimeout);
        Assert.Equal(1, silent.Aborts);
        Assert.Equal(0, talking.Aborts);
        Assert.Equal(1, guard.IdleTimeouts);
    }

    [Fact]
    public void Should_close_a_message_unfinished_for_the_timeout_even_when_bytes_keep_coming()
    {
        using var guard = Guard(incompleteSeconds: 10);
        var slowloris = new FakeConnection { ReadCount = 1, UnfinishedMessageSince = 1 };
        guard.TryAdmit();
        guard.Track(slowloris);

        Run(TimeSpan.FromSeconds(9.5), () => slowloris.ReadCount++); // a byte every 100 ms: never idle
        var beforeTimeout = slowloris.Aborts;
        Run(TimeSpan.FromSeconds(1.5), () => slowloris.ReadCount++);

        Assert.Equal(0, beforeTimeout);
        Assert.Equal(1, slowloris.Aborts);
        Assert.Equal((1L, 0L), (guard.IncompleteMessageTimeouts, guard.IdleTimeouts));
    }

    [Fact]
    public void Should_start_the_incomplete_message_clock_again_for_each_new_message()
    {
        using var guard = Guard(incompleteSeconds: 10);
        var busy = new FakeConnection();
        guard.TryAdmit();
        guard.Track(busy);
        var step = 0;

        // Messages that each take 6 s to arrive, one after the other, for a minute; then a pause between messages.
        Run(TimeSpan.FromSeconds(60), () =>
        {
            busy.ReadCount++;
            if (++step % 60 == 0)
            {
                busy.UnfinishedMessageSince = busy.ReadCount;
            }
        });
        busy.UnfinishedMessageSince = 0;
        Run(TimeSpan.FromSeconds(30), () => busy.ReadCount++);

        Assert.Equal(0, busy.Aborts);
    }

    [Fact]
    public void Should_close_nothing_with_infinite_timeouts()
    {
        using var guard = Guard(idleSeconds: -1, incompleteSeconds: -1);
        var stalled = new FakeConnection { UnfinishedMessageSince = 1 };
        guard.TryAdmit();
        guard.Track(stalled);

        Run(TimeSpan.FromMinutes(10));

        Assert.Equal(0, stalled.Aborts);
    }

    [Fact]
    public void Should_close_a_connection_once_and_forget_it_when_it_leaves()
    {
        using var guard = Guard(idleSeconds: 1);
        var silent = new FakeConnection();
        guard.TryAdmit();
        guard.Track(silent);

        Run(TimeSpan.FromSeconds(5));
        guard.Leave(silent); // its own close path, after the abort
        Run(TimeSpan.FromSeconds(5));

        Assert.Equal(1, silent.Aborts);
        Assert.Equal(0, guard.OpenConnections);
    }

    [Theory]
    [InlineData(0, 300, 10)]
    [InlineData(10, 0, 10)]
    [InlineData(10, -5, 10)]
    [InlineData(10, 300, 0)]
    public void Should_refuse_a_bad_limit(int max, double idleSeconds, double incompleteSeconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionGuard(_wheel, _time, max,
            TimeSpan.FromSeconds(idleSeconds), TimeSpan.FromSeconds(incompleteSeconds)));
    }
}
