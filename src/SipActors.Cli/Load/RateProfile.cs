using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SipActors.Cli.Load;

/// <summary>
/// <c>--rate</c> as stages of an open model: new registrations started per second over time, so
/// that a run can find the rate where the server's latency or failures turn up (its knee).
/// <c>100</c> is a constant rate; <c>100:2000/60s,2000/120s</c> ramps from 100/s to 2000/s over
/// 60 s, then holds 2000/s for 120 s; after the last stage the last rate goes on until every
/// account has started. Durations take <c>ms</c>, <c>s</c> or <c>m</c>.
/// </summary>
internal sealed record RateProfile(IReadOnlyList<RateStage> Stages)
{
    /// <summary>A single rate with no duration: the supervisor's own token bucket paces it.</summary>
    public double? ConstantRate => Stages is [{ Duration: null } only] ? only.From : null;

    /// <summary>The rate after every stage: the last stage's end rate.</summary>
    private double FinalRate => Stages[^1].To;

    /// <summary>How many registrations the profile has started <paramref name="elapsed"/> after the ramp began: the integral of the rate.</summary>
    public double StartedBy(TimeSpan elapsed)
    {
        var left = elapsed.TotalSeconds;
        var started = 0.0;
        foreach (var stage in Stages)
        {
            if (stage.Duration is not { } duration)
            {
                return started + (stage.From * left);
            }
            var d = duration.TotalSeconds;
            var t = Math.Min(left, d);
            // A linear ramp from From to To over d seconds: the mean of the rates at 0 and t, times t.
            started += (stage.From + stage.From + ((stage.To - stage.From) * t / d)) / 2 * t;
            left -= t;
            if (left <= 0)
            {
                return started;
            }
        }
        return started + (FinalRate * left);
    }

    public override string ToString() => string.Join(',', Stages);

    public static bool TryParse(string text, [NotNullWhen(true)] out RateProfile? profile, [NotNullWhen(false)] out string? error)
    {
        profile = null;
        var stages = new List<RateStage>();
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            var rates = slash < 0 ? part : part[..slash];
            TimeSpan? duration = null;
            if (slash >= 0)
            {
                if (!TryDuration(part[(slash + 1)..], out var d))
                {
                    error = $"stage '{part}': '{part[(slash + 1)..]}' is not a duration such as 60s, 2m or 500ms";
                    return false;
                }
                duration = d;
            }
            else if (i < parts.Length - 1)
            {
                error = $"stage '{part}' has no duration: only the last stage may go on until every account has started (write R/60s or A:B/60s)";
                return false;
            }
            var colon = rates.IndexOf(':', StringComparison.Ordinal);
            if (!TryRate(colon < 0 ? rates : rates[..colon], out var from) || !TryRate(colon < 0 ? rates : rates[(colon + 1)..], out var to))
            {
                error = $"stage '{part}': rates are positive numbers of registrations per second, R or FROM:TO";
                return false;
            }
            stages.Add(new RateStage(from, to, duration));
        }
        profile = new RateProfile(stages);
        error = null;
        return true;
    }

    private static bool TryRate(string text, out double rate)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out rate) && rate > 0 && double.IsFinite(rate) && rate <= 1_000_000;

    private static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || value * scale > 31_536_000)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}

/// <summary>One stage of a <see cref="RateProfile"/>: from one rate to another (the same for a hold) over a duration, or open-ended.</summary>
internal sealed record RateStage(double From, double To, TimeSpan? Duration)
{
    public override string ToString()
    {
        var rates = From == To ? From.ToString("0.##", CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{From:0.##}:{To:0.##}");
        return Duration is { } d ? string.Create(CultureInfo.InvariantCulture, $"{rates}/{d.TotalSeconds:0.###}s") : rates;
    }
}
