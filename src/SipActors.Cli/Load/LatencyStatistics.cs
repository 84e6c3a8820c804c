namespace SipActors.Cli.Load;

/// <summary>The report's latency figures, computed once at the end from every registration's latency.</summary>
internal static class LatencyStatistics
{
    /// <summary>Bucket bounds per decade: 1-1.5-2-3-5-7, fine enough for a chart, round enough to read.</summary>
    private static readonly double[] Steps = [1, 1.5, 2, 3, 5, 7];

    /// <summary>Nearest-rank percentiles of <paramref name="sorted"/> (ascending).</summary>
    public static LatencySummary Summarize(double[] sorted)
        => sorted.Length == 0
            ? new LatencySummary(0, 0, 0, 0)
            : new LatencySummary(Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), sorted[^1]);

    public static double Percentile(double[] sorted, double quantile)
    {
        var rank = (int)Math.Ceiling(quantile * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>
    /// Buckets from the one holding the minimum to the one holding the maximum (empty ones kept, so
    /// a chart has no gaps); the last bucket's bound is the maximum itself.
    /// </summary>
    public static IReadOnlyList<HistogramBucket> Histogram(double[] sorted)
    {
        if (sorted.Length == 0)
        {
            return [];
        }
        var bounds = new List<double>();
        var max = sorted[^1];
        for (var decade = 0.01; bounds.Count == 0 || bounds[^1] < max; decade *= 10)
        {
            foreach (var step in Steps)
            {
                var bound = Math.Round(step * decade, 6);
                if (bound >= sorted[0] || bounds.Count > 0 || bound >= max)
                {
                    bounds.Add(Math.Min(bound, max));
                }
                if (bound >= max)
                {
                    break;
                }
            }
        }
        var buckets = new List<HistogramBucket>(bounds.Count);
        var i = 0;
        foreach (var bound in bounds)
        {
            long count = 0;
            while (i < sorted.Length && sorted[i] <= bound)
            {
                count++;
                i++;
            }
            buckets.Add(new HistogramBucket(bound, count));
        }
        return buckets;
    }
}
