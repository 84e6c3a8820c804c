namespace SipActors.Cli.Load;

/// <summary>The report's latency figures, computed once at the end from every registration's latency.</summary>
internal static class LatencyStatistics
{
    /// <summary>
    /// Bucket edges per decade: 1-1.6-2.5-4-6.3, the R5 series of preferred numbers. Each bucket
    /// spans a ratio of about 10^(1/5), so the buckets are equally wide on a log scale and a
    /// chart's bars compare as counts: round enough to read, fine enough for a chart.
    /// </summary>
    private static readonly double[] Steps = [1, 1.6, 2.5, 4, 6.3];

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
    /// a chart has no gaps). Every bound is an edge of the series, the last one included: the
    /// maximum itself is <see cref="LatencySummary.Max"/>.
    /// </summary>
    public static IReadOnlyList<HistogramBucket> Histogram(double[] sorted)
    {
        if (sorted.Length == 0)
        {
            return [];
        }
        var max = sorted[^1];
        var edges = new List<double>();
        for (var decade = 0.001; edges.Count == 0 || edges[^1] < max; decade *= 10)
        {
            foreach (var step in Steps)
            {
                edges.Add(Math.Round(step * decade, 6));
                if (edges[^1] >= max)
                {
                    break;
                }
            }
        }
        var first = edges.FindIndex(e => e >= sorted[0]);
        var buckets = new List<HistogramBucket>(edges.Count - first);
        var i = 0;
        for (var j = first; j < edges.Count; j++)
        {
            long count = 0;
            while (i < sorted.Length && sorted[i] <= edges[j])
            {
                count++;
                i++;
            }
            buckets.Add(new HistogramBucket(edges[j], count) { LowerMs = j == 0 ? 0 : edges[j - 1] });
        }
        return buckets;
    }
}
