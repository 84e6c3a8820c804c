using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Timers;

namespace SipActors.Sip.Tests.Timers;

public class SipTimerWheelTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Should_fire_each_deadline_once_within_one_tick_after_it_is_due()
    {
        using var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 64, _time);
        var fired = new List<(string, TimeSpan)>();
        var start = _time.GetUtcNow();
        wheel.Schedule(TimeSpan.FromMilliseconds(500), s => fired.Add(((string)s!, _time.GetUtcNow() - start)), "T1");
        wheel.Schedule(TimeSpan.FromSeconds(32), s => fired.Add(((string)s!, _time.GetUtcNow() - start)), "F");
        wheel.Schedule(TimeSpan.FromMilliseconds(5), s => fired.Add(((string)s!, _time.GetUtcNow() - start)), "soon");

        for (var i = 0; i < 3300; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(["soon", "T1", "F"], fired.Select(f => f.Item1));
        Assert.InRange(fired[0].Item2, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20));
        Assert.InRange(fired[1].Item2, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(520));
        Assert.InRange(fired[2].Item2, TimeSpan.FromSeconds(32), TimeSpan.FromSeconds(32.02));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Should_not_fire_a_cancelled_timer_and_forget_it()
    {
        using var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 64, _time);
        var fired = 0;
        var timer = wheel.Schedule(TimeSpan.FromMilliseconds(100), _ => fired++);
        Assert.True(timer.IsPending);
        Assert.Equal(1, wheel.Count);

        timer.Cancel();
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, fired);
        Assert.False(timer.IsPending);
        Assert.Equal(0, wheel.Count);
        timer.Cancel();
    }

    [Fact]
    public void Should_catch_up_when_the_clock_jumps_and_let_callbacks_schedule_more()
    {
        using var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 16, _time);
        var fired = 0;
        for (var i = 1; i <= 100; i++)
        {
            wheel.Schedule(TimeSpan.FromMilliseconds(i * 7), _ => fired++);
        }
        wheel.Schedule(TimeSpan.FromMilliseconds(50), _ => wheel.Schedule(TimeSpan.FromMilliseconds(50), _ => fired += 1000));

        _time.Advance(TimeSpan.FromSeconds(5)); // one late OS tick covering many wheel turns
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(1100, fired);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Should_keep_running_when_a_callback_throws()
    {
        using var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 64, _time);
        var errors = new List<Exception>();
        wheel.UnhandledCallbackException += errors.Add;
        var fired = false;
        wheel.Schedule(TimeSpan.FromMilliseconds(10), _ => throw new InvalidOperationException("boom"));
        wheel.Schedule(TimeSpan.FromMilliseconds(10), _ => fired = true);

        _time.Advance(TimeSpan.FromMilliseconds(30));

        Assert.True(fired);
        Assert.Single(errors);
    }

    [Fact]
    public void Should_sleep_until_the_next_deadline_when_idle_and_wake_for_an_earlier_one()
    {
        using var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 4096, _time);
        var start = _time.GetUtcNow();
        var fired = new List<(string, TimeSpan)>();
        wheel.Schedule(TimeSpan.FromSeconds(5), s => fired.Add(((string)s!, _time.GetUtcNow() - start)), "far");
        Advance(TimeSpan.FromSeconds(1));
        var ticksAsleep = wheel.TicksRun;

        // While it sleeps toward "far", a nearer deadline wakes it; one scheduled from a callback is kept too.
        wheel.Schedule(TimeSpan.FromMilliseconds(200), s =>
        {
            fired.Add(((string)s!, _time.GetUtcNow() - start));
            wheel.Schedule(TimeSpan.FromMilliseconds(300), t => fired.Add(((string)t!, _time.GetUtcNow() - start)), "chained");
        }, "near");
        Advance(TimeSpan.FromSeconds(5));

        Assert.InRange(ticksAsleep, 1, 3); // not the 100 ticks of the first second
        Assert.Equal(["near", "chained", "far"], fired.Select(f => f.Item1));
        Assert.InRange(fired[0].Item2, TimeSpan.FromMilliseconds(1200), TimeSpan.FromMilliseconds(1220));
        Assert.InRange(fired[1].Item2, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(1530));
        Assert.InRange(fired[2].Item2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.02));
        Assert.True(wheel.TicksRun - ticksAsleep < 20, $"{wheel.TicksRun - ticksAsleep} ticks for three deadlines");
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Should_tick_at_its_resolution_while_many_timers_are_pending()
    {
        using var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(10), 4096, _time);
        var fired = 0;
        for (var i = 0; i < 1000; i++)
        {
            wheel.Schedule(TimeSpan.FromSeconds(10 + i * 0.001), _ => fired++);
        }
        Advance(TimeSpan.FromSeconds(1));
        Assert.InRange(wheel.TicksRun, 95, 101);
        Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1000, fired);
    }

    private void Advance(TimeSpan by)
    {
        for (var t = TimeSpan.Zero; t < by; t += TimeSpan.FromMilliseconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }
}
