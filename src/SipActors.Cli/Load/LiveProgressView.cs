using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SipActors.Cli.Load;

/// <summary>A Spectre.Console table redrawn in place on each frame; it stays on screen when the run ends.</summary>
internal sealed class LiveProgressView : LoadProgressView
{
    public override Task<T> RunAsync<T>(Func<Action<LoadFrame>, Task<T>> body)
        => AnsiConsole.Live(new Text("starting...")).AutoClear(false).StartAsync(context => body(frame =>
        {
            context.UpdateTarget(Render(frame));
            context.Refresh();
        }));

    /// <summary>One metric per row: narrow enough for an 80-column terminal.</summary>
    private static IRenderable Render(LoadFrame frame)
    {
        var p = frame.Progress;
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"sipactors load: {frame.Phase}, {F(frame.Elapsed.TotalSeconds, "0")} s")
            .AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.ShowHeaders = false;
        // Registered now, not "ever": it drops with an outage and comes back with the re-registrations.
        var now = p.RegisteredNow < p.Registered ? $"[yellow]{F(p.RegisteredNow, "N0")}[/]" : $"[green]{F(p.RegisteredNow, "N0")}[/]";
        table.AddRow("registered now", $"{now} / {F(frame.Accounts, "N0")}");
        table.AddRow("registered once", F(p.Registered, "N0"));
        table.AddRow("lost / re-registered", p.Losses > 0 ? $"[red]{F(p.Losses, "N0")}[/] / {F(p.Reregistrations, "N0")}" : $"0 / {F(p.Reregistrations, "N0")}");
        table.AddRow("failed", p.Failed > 0 ? $"[red]{F(p.Failed, "N0")}[/]" : "0");
        foreach (var (cause, count) in p.FailuresByCause.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(5))
        {
            table.AddRow("  " + Markup.Escape(cause), $"[red]{F(count, "N0")}[/]");
        }
        table.AddRow("in flight", F(p.InFlight, "N0"));
        table.AddRow(frame.Phase == "hold" ? "refresh rate" : "rate", $"{F(frame.Phase == "hold" ? frame.RefreshesPerSecond : frame.RatePerSecond, "N0")} /s");
        table.AddRow("latency p50 / p99", $"{F(p.LatencyP50Ms, "0.0")} / {F(p.LatencyP99Ms, "0.0")} ms");
        table.AddRow("refreshes", frame.RefreshFailures > 0 ? $"{F(frame.Refreshes, "N0")} ([red]{F(frame.RefreshFailures, "N0")} failed[/])" : F(frame.Refreshes, "N0"));
        table.AddRow("retransmissions / timeouts", (frame.Retransmissions > 0 ? $"[yellow]{F(frame.Retransmissions, "N0")}[/]" : "0") + " / " + (frame.TransactionTimeouts > 0 ? $"[red]{F(frame.TransactionTimeouts, "N0")}[/]" : "0"));
        if (p.LatestFailure is { } latest)
        {
            table.AddRow("last failure", Markup.Escape($"{latest.Id}: {latest.Cause}"));
        }
        if (frame.Unregistering)
        {
            table.AddRow("unregistered", F(p.Unregistered, "N0"));
        }
        table.AddRow("working set", $"{F(frame.WorkingSetBytes / 1048576.0, "0")} MiB");
        return table;
    }
}
