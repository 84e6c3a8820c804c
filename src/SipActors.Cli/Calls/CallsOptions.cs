using SipActors.Cli.Accounts;
using SipActors.Cli.Load;

namespace SipActors.Cli.Calls;

/// <summary>One <c>sipactors calls</c> run as the command line asked for it, validated.</summary>
internal sealed record CallsOptions : AccountRunOptions
{
    /// <summary>Accounts that answer (auto-answer); null is half of them. Zero with <see cref="Target"/>.</summary>
    public int? Callees { get; init; }

    /// <summary>An external UAS every account calls instead of the callees (<c>--target</c>).</summary>
    public string? Target { get; init; }

    /// <summary>New calls per second: a constant rate or load's rate stages.</summary>
    public required RateProfile Rate { get; init; }

    /// <summary>Calls up at once; a call due while this many are up waits for one to end.</summary>
    public int MaxConcurrent { get; init; } = int.MaxValue;

    /// <summary>From answer to the caller's BYE.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Up to this much more (uniformly) added to each call's hold.</summary>
    public TimeSpan HoldJitter { get; init; }

    /// <summary>How long to place calls; null places until <see cref="MaxCalls"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop placing after this many calls; null until <see cref="Duration"/>.</summary>
    public int? MaxCalls { get; init; }

    /// <summary>Registrations in flight at once before calling starts.</summary>
    public int RegisterConcurrency { get; init; } = 500;

    public string? ReportPath { get; init; }
    public string? HtmlPath { get; init; }
    public string? StatsPath { get; init; }
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(1);
    public bool Quiet { get; init; }
    public bool Plain { get; init; }

    /// <summary>How long the calls still up when placing stops may take to end (BYE / CANCEL answered).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>A registration phase with no event for this long has stalled: calling starts with those registered.</summary>
    public TimeSpan RegisterStallTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
