using SipActors.Sip.Registration;

namespace SipActors.Sip.Tests.Registration;

/// <summary>Refresh times are spread (CONTRACT.md §5.7), short expiries included: no lockstep at E − 5 s.</summary>
public sealed class RefreshPolicyTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(60)]
    [InlineData(30)]
    [InlineData(20)]
    public void Should_spread_short_expiries_between_half_and_expiry_minus_5_seconds(int expires)
    {
        var random = new Random(11);

        var delays = Enumerable.Range(0, 2000).Select(_ => RefreshPolicy.NextRefresh(expires, random).TotalSeconds).ToArray();

        Assert.All(delays, d => Assert.InRange(d, expires / 2.0, expires - 5.0));
        var width = expires - 5.0 - expires / 2.0;
        // Uniform over the range: both ends are reached and each half holds about half of the draws.
        Assert.True(delays.Max() - delays.Min() > 0.9 * width, $"spread {delays.Max() - delays.Min():0.##} s of {width} s");
        var lowerHalf = delays.Count(d => d < expires / 2.0 + width / 2);
        Assert.InRange(lowerHalf, 850, 1150);
    }

    [Fact]
    public void Should_spread_long_expiries_between_half_and_expiry_minus_32_seconds()
    {
        var random = new Random(7);

        var delays = Enumerable.Range(0, 1000).Select(_ => RefreshPolicy.NextRefresh(300, random).TotalSeconds).ToArray();

        Assert.All(delays, d => Assert.InRange(d, 150, 268));
        Assert.True(delays.Max() - delays.Min() > 100, "refreshes are spread, not all at one instant");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 1, 1)]
    [InlineData(6, 1, 1)]
    [InlineData(10, 5, 5)]
    [InlineData(12, 6, 7)]
    public void Should_never_refresh_sooner_than_one_second_nor_after_the_range(int expires, double low, double high)
    {
        var random = new Random(3);

        var delays = Enumerable.Range(0, 200).Select(_ => RefreshPolicy.NextRefresh(expires, random).TotalSeconds).ToArray();

        Assert.All(delays, d => Assert.InRange(d, low, high));
    }

    [Fact]
    public void Should_reject_a_granted_expiry_that_is_not_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RefreshPolicy.NextRefresh(0, new Random(1)));
    }
}
