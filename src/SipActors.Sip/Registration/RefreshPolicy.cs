namespace SipActors.Sip.Registration;

/// <summary>
/// When to refresh a binding of E seconds: at a uniformly random point in [E/2, E−32 s], or in
/// [E/2, E−5 s] when E ≤ 64 (CONTRACT.md §5.7), never sooner than 1 s. Spreading keeps ten
/// thousand accounts registered at once from refreshing at once (with a fixed E−5 s, 5,000
/// accounts on 30 s expiries refreshed within ~2 s of each other every 25 s); the upper bound
/// leaves a lost refresh time to be retried before the binding expires.
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
        var margin = grantedSeconds <= 64 ? 5.0 : 32.0;
        // Below 10 s, E − 5 s is under E/2: the range closes to its upper end.
        var high = Math.Max(1.0, grantedSeconds - margin);
        var low = Math.Max(1.0, Math.Min(grantedSeconds / 2.0, high));
        return TimeSpan.FromSeconds(low + random.NextDouble() * (high - low));
    }
}
