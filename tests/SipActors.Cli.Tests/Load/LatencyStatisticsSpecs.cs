using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

public sealed class LatencyStatisticsSpecs
{
    [Fact]
    public void Should_take_nearest_rank_percentiles()
    {
        var sorted = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        var summary = LatencyStatistics.Summarize(sorted);

        Assert.Equal(new LatencySummary(50, 90, 99, 100), summary);
    }

    [Fact]
    public void Should_report_zeros_without_registrations()
        => Assert.Equal(new LatencySummary(0, 0, 0, 0), LatencyStatistics.Summarize([]));

    [Fact]
    public void Should_bucket_every_latency_once_and_end_at_a_bucket_edge()
    {
        double[] sorted = [0.4, 3.2, 3.2, 4.9, 12, 480];

        var buckets = LatencyStatistics.Histogram(sorted);

        Assert.Equal(sorted.Length, buckets.Sum(b => b.Count));
        // The edge above the maximum, as for every other bucket: not the maximum itself (that is latencyMs.max).
        Assert.Equal(630, buckets[^1].UpperMs);
        Assert.Equal(400, buckets[^1].LowerMs);
        Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First.UpperMs < p.Second.UpperMs), "bounds increase");
        Assert.True(buckets[0].LowerMs < 0.4 && buckets[0].UpperMs >= 0.4 && buckets[0].Count >= 1, "the first bucket holds the minimum");
        Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First.UpperMs == p.Second.LowerMs), "each bucket starts where the one before ends");
    }

    [Fact]
    public void Should_make_buckets_of_equal_width_on_a_log_scale()
    {
        double[] sorted = [0.05, 0.9, 7, 60, 900, 12_000];

        var buckets = LatencyStatistics.Histogram(sorted);

        // Five buckets per decade: each spans a ratio of 10^(1/5) = 1.585, within the rounding of its edges.
        Assert.All(buckets, b => Assert.InRange(Math.Log10(b.UpperMs / b.LowerMs), 0.19, 0.21));
    }

    [Fact]
    public void Should_estimate_live_percentiles_within_a_bucket()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++)
        {
            histogram.Add(i);
        }

        Assert.InRange(histogram.Percentile(0.5), 500, 500 * 1.06);
        Assert.InRange(histogram.Percentile(0.99), 990, 990 * 1.06);
    }
}
