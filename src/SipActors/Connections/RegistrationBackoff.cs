namespace SipActors.Connections;

/// <summary>
/// How long an account waits before it retries a REGISTER that failed for a reason worth
/// retrying (a 5xx, a timeout, a lost answer), modelled on RFC 5626 §4.5: a ceiling of
/// base × 2^(failures − 1), capped, and a random point between half of it and all of it, so
/// thousands of accounts refused at once do not come back at once. A Retry-After is honoured,
/// but it only ever lengthens the wait: <c>Retry-After: 0</c> from a failing server does not
/// mean "at once" (measured before this rule: five accounts sent 64,233 REGISTERs in 140 s).
/// </summary>
public sealed record RegistrationBackoff
{
    public static RegistrationBackoff Default { get; } = new();

    /// <summary>The ceiling after the first failure, 2 s by default (the first retry comes 1-2 s after it).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest ceiling, 5 min by default: an account refused for an hour retries about every 2.5-5 min.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest Retry-After honoured, 1 h: a larger one is read as this.</summary>
    public static TimeSpan LongestRetryAfter { get; } = TimeSpan.FromHours(1);

    /// <summary>The wait after <paramref name="failures"/> failures in a row (1 for the first); <paramref name="unit"/> is a random number in [0, 1).</summary>
    public TimeSpan Delay(int failures, TimeSpan? retryAfter, double unit)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ceiling = Math.Min(MaxDelay.TotalSeconds, BaseDelay.TotalSeconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromSeconds(ceiling * (0.5 + 0.5 * unit));
        if (retryAfter is { } after)
        {
            var honoured = after < LongestRetryAfter ? after : LongestRetryAfter;
            if (honoured > delay)
            {
                delay = honoured;
            }
        }
        return delay;
    }
}
