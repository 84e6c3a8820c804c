namespace SipActors.Cli.Load;

/// <summary>
/// Log-scale buckets (5 % wide, 10 µs to ~10 min) for the live p50/p99 of the progress view: one
/// increment per registration, percentiles by a walk over 400 counters, no sorting while running.
/// The report's percentiles come from the exact latencies instead.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double LowestMs = 0.01;
    private const double Growth = 1.05;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[400];
    private long _total;

    public void Add(double milliseconds)
    {
        var index = milliseconds <= LowestMs ? 0 : (int)(Math.Log(milliseconds / LowestMs) / LogGrowth);
        _counts[Math.Clamp(index, 0, _counts.Length - 1)]++;
        _total++;
    }

    /// <summary>The upper bound of the bucket holding the <paramref name="quantile"/>; 0 when empty.</summary>
    public double Percentile(double quantile)
    {
        if (_total == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(quantile * _total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return LowestMs * Math.Pow(Growth, i + 1);
            }
        }
        return LowestMs * Math.Pow(Growth, _counts.Length);
    }
}
