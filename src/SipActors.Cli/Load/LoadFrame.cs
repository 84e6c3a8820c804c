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
    /// <summary>Refreshes per second since the previous frame: the hold's rate, when no new registration happens.</summary>
    public double RefreshesPerSecond { get; init; }

    /// <summary>SIP retransmissions so far (the stack's count).</summary>
    public long Retransmissions { get; init; }

    /// <summary>Client transactions timed out so far (Timer F/B).</summary>
    public long TransactionTimeouts { get; init; }

    /// <summary>"rate N/s" in the ramp; in the hold, where nothing new registers, the refresh rate.</summary>
    internal string RateText()
        => Phase == "hold" ? string.Create(CultureInfo.InvariantCulture, $"refresh rate {RefreshesPerSecond:0}/s") : string.Create(CultureInfo.InvariantCulture, $"rate {RatePerSecond:0}/s");

    /// <summary>The frame as one plain line (non-terminal output): registered now, then what only goes up.</summary>
    public string ToLine()
    {
        var p = Progress;
        return string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.Now:HH:mm:ss} {Phase,-10} {Elapsed.TotalSeconds,6:0.0}s registered {p.RegisteredNow}/{Accounts} (once {p.Registered}, lost {p.Losses}, re-registered {p.Reregistrations}) failed {p.Failed}{Causes(p)} in-flight {p.InFlight} {RateText()} p50 {p.LatencyP50Ms:0.0}ms p99 {p.LatencyP99Ms:0.0}ms refreshes {Refreshes}{(RefreshFailures > 0 ? $" (failed {RefreshFailures})" : "")} retransmissions {Retransmissions} timeouts {TransactionTimeouts}{(Unregistering ? $" unregistered {p.Unregistered}" : "")} ws {WorkingSetBytes / 1048576.0:0}MiB");
    }

    /// <summary>The failure causes, most frequent first, as " [cause n, cause n]"; empty when nothing failed.</summary>
    internal static string Causes(LoadProgress progress)
        => progress.FailuresByCause.Count == 0 ? ""
            : " [" + string.Join(", ", progress.FailuresByCause.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}"))) + "]";
}
