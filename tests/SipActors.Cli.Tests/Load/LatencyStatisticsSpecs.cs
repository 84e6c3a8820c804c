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
    public void Should_bucket_every_latency_once_and_end_at_the_maximum()
    {
        double[] sorted = [0.4, 3.2, 3.2, 4.9, 12, 480];

        var buckets = LatencyStatistics.Histogram(sorted);

        Assert.Equal(sorted.Length, buckets.Sum(b => b.Count));
        Assert.Equal(480, buckets[^1].UpperMs);
        Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First.UpperMs < p.Second.UpperMs), "bounds increase");
        Assert.True(buckets[0].UpperMs >= 0.4 && buckets[0].Count >= 1, "the first bucket holds the minimum");
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
