using SipActors.Cli.Accounts;

namespace SipActors.Cli.Load;

/// <summary>One <c>sipactors load</c> run as the command line asked for it, validated.</summary>
internal sealed record LoadOptions : AccountRunOptions
{
    /// <summary>Starts <c>--otlp</c> / <c>--prometheus</c> on the run's stack; null (or a null result) exports nothing.</summary>
    public Func<SipActors.Sip.UserAgents.SipStack, Telemetry.MetricsExport?>? StartMetrics { get; init; }

    /// <summary>Stop the ramp once this many accounts failed (<c>--max-failures</c>); null never stops for failures.</summary>
    public int? MaxFailures { get; init; }

    public IReadOnlyList<string> ExtraHeaders { get; init; } = [];

    /// <summary>New transport attempts per second; null is unlimited (bounded by <see cref="Concurrency"/>).</summary>
    public double? Rate { get; init; }

    /// <summary>Rate stages (<c>--rate A:B/60s,...</c>): the run hands the accounts over at this pace instead of <see cref="Rate"/>.</summary>
    public RateProfile? RateStages { get; init; }

    /// <summary>Connect attempts in flight at once (the supervisor's MaxConcurrentConnects).</summary>
    public int Concurrency { get; init; } = 500;

    /// <summary>How long to hold the accounts registered after the ramp.</summary>
    public TimeSpan Duration { get; init; }

    public bool Unregister { get; init; } = true;
    public string? ReportPath { get; init; }
    public string? HtmlPath { get; init; }

    /// <summary>One CSV row of statistics per <see cref="StatsInterval"/> (<c>--stats</c>); null writes none.</summary>
    public string? StatsPath { get; init; }

    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Every failed account as CSV (<c>--failures</c>); null writes none.</summary>
    public string? FailuresPath { get; init; }

    /// <summary>The SIP messages of failed transactions (<c>--trace-errors</c>); null traces none.</summary>
    public string? TraceErrorsPath { get; init; }

    /// <summary>No progress while running: only the summary.</summary>
    public bool Quiet { get; init; }

    /// <summary>Plain progress lines even on a terminal.</summary>
    public bool Plain { get; init; }

    /// <summary><c>--cluster</c>: the accounts run on a cluster's nodes, this process coordinates; null runs them here.</summary>
    public Cluster.ClusterLoadOptions? Cluster { get; init; }

    /// <summary>A ramp with no event for this long has stalled: it ends, and the run says so.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>One account of a load run.</summary>
internal sealed record LoadAccount(string User, string Password, string? DisplayName, string? AuthUser = null)
{
    public override string ToString() => $"LoadAccount {{ User = {User}, AuthUser = {AuthUser}, Password = ***, DisplayName = {DisplayName} }}";
}
