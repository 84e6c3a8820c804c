using System.Globalization;

namespace SipActors.Cli.Load;

/// <summary>What the progress view shows at one moment of a load run.</summary>
internal sealed record LoadFrame(
    string Phase,
    TimeSpan Elapsed,
    int Accounts,
    LoadProgress Progress,
    double RatePerSecond,
    long Refreshes,
    long RefreshFailures,
    long WorkingSetBytes,
    bool Unregistering)
{
    /// <summary>The frame as one plain line (non-terminal output): registered now, then what only goes up.</summary>
    public string ToLine()
    {
        var p = Progress;
        return string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.Now:HH:mm:ss} {Phase,-10} {Elapsed.TotalSeconds,6:0.0}s registered {p.RegisteredNow}/{Accounts} (once {p.Registered}, lost {p.Losses}, re-registered {p.Reregistrations}) failed {p.Failed}{Causes(p)} in-flight {p.InFlight} rate {RatePerSecond:0}/s p50 {p.LatencyP50Ms:0.0}ms p99 {p.LatencyP99Ms:0.0}ms refreshes {Refreshes}{(RefreshFailures > 0 ? $" (failed {RefreshFailures})" : "")}{(Unregistering ? $" unregistered {p.Unregistered}" : "")} ws {WorkingSetBytes / 1048576.0:0}MiB");
    }

    /// <summary>The failure causes, most frequent first, as " [cause n, cause n]"; empty when nothing failed.</summary>
    internal static string Causes(LoadProgress progress)
        => progress.FailuresByCause.Count == 0 ? ""
            : " [" + string.Join(", ", progress.FailuresByCause.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}"))) + "]";
}
