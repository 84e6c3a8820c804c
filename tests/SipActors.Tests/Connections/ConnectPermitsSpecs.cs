using SipActors.Connections;

namespace SipActors.Tests.Connections;

/// <summary>The host's permits on a given clock: the rate, the burst, the in-flight bound, the order.</summary>
public sealed class ConnectPermitsSpecs
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(100);

    private static List<string> Serve(ConnectPermits<string> permits, TimeSpan now)
    {
        var granted = new List<string>();
        permits.Serve(now, (who, _) => granted.Add(who));
        return granted;
    }

    [Fact]
    public void Should_grant_the_burst_at_once_then_the_rate_and_in_order_of_request()
    {
        var permits = new ConnectPermits<string>(ratePerSecond: 100, maxInFlight: 1000, Start);
        for (var i = 0; i < 20; i++)
        {
            permits.Request($"a{i}", $"a{i}", generation: 1);
        }

        var first = Serve(permits, Start);
        var tenMsLater = Serve(permits, Start + TimeSpan.FromMilliseconds(10));
        var secondLater = Serve(permits, Start + TimeSpan.FromSeconds(1));

        Assert.Equal(["a0", "a1", "a2", "a3", "a4"], first); // 50 ms worth of 100/s
        Assert.Equal(["a5"], tenMsLater);
        Assert.Equal(5, secondLater.Count); // the bucket holds a burst, not a second's worth
        Assert.Equal(9, permits.Waiting);
    }

    [Fact]
    public void Should_hold_no_more_in_flight_than_the_bound_until_one_is_released()
    {
        var permits = new ConnectPermits<string>(ratePerSecond: 10_000, maxInFlight: 2, Start);
        foreach (var who in new[] { "a", "b", "c" })
        {
            permits.Request(who, who, generation: 1);
        }

        Assert.Equal(["a", "b"], Serve(permits, Start + TimeSpan.FromSeconds(1)));
        Assert.Empty(Serve(permits, Start + TimeSpan.FromSeconds(2)));
        Assert.True(permits.Release("a"));
        Assert.False(permits.Release("a")); // once per permit
        Assert.Equal(["c"], Serve(permits, Start + TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Should_keep_a_low_rate_near_its_value_when_served_every_tick()
    {
        var permits = new ConnectPermits<string>(ratePerSecond: 50, maxInFlight: 10_000, Start);
        for (var i = 0; i < 1000; i++)
        {
            permits.Request($"a{i}", $"a{i}", 1);
        }
        var granted = 0;
        for (var tick = 0; tick <= 500; tick++) // 10 s of 20 ms ticks
        {
            granted += Serve(permits, Start + TimeSpan.FromMilliseconds(20 * tick)).Count;
        }

        Assert.InRange(granted, 495, 505);
    }

    [Fact]
    public void Should_refuse_a_rate_or_bound_that_grants_nothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectPermits<string>(0, 10, Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectPermits<string>(10, 0, Start));
    }
}
