namespace SipActors.Sip.Registration;

/// <summary>
/// When to refresh a binding of E seconds: at a uniformly random point in [E/2, E−32 s], or E−5 s
/// when E ≤ 64 (CONTRACT.md §5.7). Spreading keeps ten thousand accounts registered at once from
/// refreshing at once; the lower bound keeps a lost refresh retryable before expiry.
/// </summary>
public static class RefreshPolicy
{
    public static TimeSpan NextRefresh(int grantedSeconds, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (grantedSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(grantedSeconds), grantedSeconds, "A granted expiry is positive.");
        }
        if (grantedSeconds <= 64)
        {
            return TimeSpan.FromSeconds(Math.Max(1, grantedSeconds - 5));
        }
        var low = grantedSeconds / 2.0;
        var high = grantedSeconds - 32.0;
        return TimeSpan.FromSeconds(low + random.NextDouble() * (high - low));
    }
}
