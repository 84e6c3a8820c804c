using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

public sealed class RateProfileSpecs
{
    [Fact]
    public void Should_integrate_a_ramp_then_a_hold_then_go_on_at_the_last_rate()
    {
        Assert.True(RateProfile.TryParse("100:2000/60s,2000/2m", out var profile, out var error), error);

        Assert.Equal(0, profile.StartedBy(TimeSpan.Zero));
        Assert.Equal((100 + 1050) / 2.0 * 30, profile.StartedBy(TimeSpan.FromSeconds(30)), 6);
        Assert.Equal((100 + 2000) / 2.0 * 60, profile.StartedBy(TimeSpan.FromSeconds(60)), 6);
        Assert.Equal(63_000 + (2000 * 120), profile.StartedBy(TimeSpan.FromSeconds(180)), 6);
        Assert.Equal(303_000 + (2000 * 10), profile.StartedBy(TimeSpan.FromSeconds(190)), 6);
        Assert.Null(profile.ConstantRate);
        Assert.Equal("100:2000/60s,2000/120s", profile.ToString());
    }

    [Fact]
    public void Should_take_a_single_number_as_a_constant_rate()
    {
        Assert.True(RateProfile.TryParse("250", out var profile, out _));

        Assert.Equal(250, profile.ConstantRate);
        Assert.Equal(500, profile.StartedBy(TimeSpan.FromSeconds(2)), 6);
    }

    [Theory]
    [InlineData("100,200/5s", "only the last stage")]
    [InlineData("100:x/5s", "rates are positive numbers")]
    [InlineData("0/5s", "rates are positive numbers")]
    [InlineData("100/5h", "not a duration")]
    [InlineData("100/-5s", "not a duration")]
    public void Should_say_what_is_wrong_with_a_stage(string text, string expected)
    {
        Assert.False(RateProfile.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
