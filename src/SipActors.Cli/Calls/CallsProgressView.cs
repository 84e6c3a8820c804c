using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SipActors.Cli.Calls;

/// <summary>
/// Shows a calls run's progress as <c>load</c> does: a Spectre.Console table redrawn in place on a
/// terminal, a plain line per frame otherwise, nothing with --quiet.
/// </summary>
internal sealed class CallsProgressView(TextWriter output, bool live, bool quiet)
{
    public Task<T> RunAsync<T>(Func<Action<CallsFrame>, Task<T>> body)
    {
        if (quiet)
        {
            return body(_ => { });
        }
        if (!live)
        {
            return body(frame => output.WriteLine(frame.ToLine()));
        }
        return AnsiConsole.Live(new Text("starting...")).AutoClear(false).StartAsync(context => body(frame =>
        {
            context.UpdateTarget(Render(frame));
            context.Refresh();
        }));
    }

    private static IRenderable Render(CallsFrame frame)
    {
        var p = frame.Progress;
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"sipactors calls: {frame.Phase}, {F(frame.Elapsed.TotalSeconds, "0")} s")
            .AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.ShowHeaders = false;
        table.AddRow("registered", $"{F(p.Registered, "N0")} / {F(frame.Accounts, "N0")}" + (p.RegistrationFailed > 0 ? $" ([red]{F(p.RegistrationFailed, "N0")} failed[/])" : ""));
        table.AddRow("calls/s", F(frame.CallsPerSecond, "N1"));
        table.AddRow("placed", F(p.Attempted, "N0"));
        table.AddRow("up now (peak)", $"{F(p.Up, "N0")} ({F(p.PeakUp, "N0")})");
        table.AddRow("answered", $"[green]{F(p.Answered, "N0")}[/]");
        table.AddRow("failed", p.Failed > 0 ? $"[red]{F(p.Failed, "N0")}[/]" : "0");
        foreach (var (cause, count) in p.FailuresByCause.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(5))
        {
            table.AddRow("  " + Markup.Escape(cause), $"[red]{F(count, "N0")}[/]");
        }
        table.AddRow("setup p50 / p99", $"{F(p.SetupP50Ms, "0.0")} / {F(p.SetupP99Ms, "0.0")} ms");
        table.AddRow("retransmissions / timeouts", (frame.Retransmissions > 0 ? $"[yellow]{F(frame.Retransmissions, "N0")}[/]" : "0") + " / " + (frame.TransactionTimeouts > 0 ? $"[red]{F(frame.TransactionTimeouts, "N0")}[/]" : "0"));
        return table;
    }
}
