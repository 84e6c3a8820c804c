using System.Globalization;

namespace SipActors.Cli.Load;

/// <summary>The plain-text summary printed at the end of every load run, terminal or not.</summary>
internal static class LoadSummary
{
    /// <summary>
    /// Every account registered, still registered when the hold ended, and (unless
    /// --no-unregister) un-registered, in a run that was not interrupted.
    /// </summary>
    public static bool IsSuccess(LoadReport report, LoadOptions options)
        => !report.Interrupted
            && report.Registered == report.Accounts
            && report.RegisteredAtHoldEnd == report.Accounts
            && (!options.Unregister || report.Unregistered == report.Accounts);

    /// <summary>One detail text of a cause; a connection error names where it tried to connect, if its text does not.</summary>
    internal static string Detail(string cause, string detail, string server)
        => cause == "Connection Error" && !detail.Contains(server, StringComparison.Ordinal) ? $"connection error to {server}: {detail}" : detail;

    public static async Task WriteAsync(TextWriter output, LoadReport report, LoadOptions options, IReadOnlyList<string> notes)
    {
        var lines = new List<string> { "" };
        foreach (var note in notes)
        {
            lines.Add("note: " + note);
        }
        string L(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        lines.Add(L($"accounts        {report.Accounts} against {report.Server} (domain {report.Domain})"));
        if (report.Settings is { } settings)
        {
            lines.Add(L($"settings        {settings.Transport}, rate {(settings.RateStages is { } stages ? stages : settings.Rate is { } rate ? rate.ToString("0.##", CultureInfo.InvariantCulture) + "/s" : "unlimited")}, concurrency {settings.Concurrency}, expires {settings.Expires} s, hold {settings.HoldSeconds:0.#} s, connect timeout {settings.ConnectTimeoutSeconds:0.#} s, sipactors {settings.Version} on {settings.Machine.Name} ({settings.Machine.Processors} processors)"));
        }
        lines.Add(L($"registered      {report.Registered} / {report.Accounts}, failed {report.Failed}"));
        lines.Add(L($"held            {report.RegisteredAtHoldEnd} / {report.Accounts} registered at the end of the hold, {report.Losses} lost, {report.Reregistrations} re-registered"));
        foreach (var (cause, count) in report.FailuresByCause.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            lines.Add(L($"  {cause,-24} {count}"));
            foreach (var detail in report.FailureDetails.GetValueOrDefault(cause) ?? [])
            {
                lines.Add("      " + Detail(cause, detail, report.Server));
            }
        }
        if (report.Failures.Count > 0)
        {
            lines.Add(L($"first failed    {string.Join(", ", report.Failures.Take(5).Select(f => f.Status is { } status ? $"{f.Id} ({status})" : f.Id))}{(report.Failed > 5 ? ", ..." : "")}"));
        }
        lines.Add(L($"rate            {report.RegistrationRate:0.#} registrations/s over a {report.RampSeconds:0.###} s ramp"));
        lines.Add(L($"latency ms      p50 {report.LatencyMs.P50:0.###}  p90 {report.LatencyMs.P90:0.###}  p99 {report.LatencyMs.P99:0.###}  max {report.LatencyMs.Max:0.###}"));
        lines.Add(L($"refreshes       {report.Refreshes}, failed {report.RefreshFailures}"));
        lines.Add(L($"sip             {report.Retransmissions} retransmissions, {report.TransactionTimeouts} transaction timeouts"));
        lines.Add(options.Unregister
            ? L($"unregistered    {report.Unregistered} / {report.Registered} registered")
            : "unregistered    (not asked: --no-unregister)");
        lines.Add(L($"duration        {report.DurationSeconds:0.###} s, peak working set {report.PeakWorkingSetBytes / 1048576.0:0.#} MiB, CPU {report.CpuSeconds:0.##} s"));
        if (report.Cluster is { } cluster)
        {
            lines.Add(L($"cluster         coordinator {cluster.Coordinator}, {cluster.EventsReceived} events received, {cluster.EventGaps} missing by their sequence numbers, {cluster.LostWithNode} registrations lost with their node"));
        }
        foreach (var node in report.Nodes ?? [])
        {
            lines.Add(L($"node            {node.Address} ({node.Status}): {node.Accounts} accounts, {node.Registered} registered, {node.Failed} failed, CPU {node.CpuSeconds:0.##} s, peak working set {node.PeakWorkingSetBytes / 1048576.0:0.#} MiB"));
        }
        if (report.GcCollections.Count == 3)
        {
            lines.Add(L($"gc              {report.GcPauseSeconds:0.###} s paused, collections gen0 {report.GcCollections[0]}, gen1 {report.GcCollections[1]}, gen2 {report.GcCollections[2]}"));
        }
        foreach (var (method, statuses) in report.ResponsesByStatus)
        {
            lines.Add($"responses       {method}: " + string.Join(", ", statuses.Select(s => L($"{s.Key} x{s.Value}"))));
        }
        if (options.ReportPath is { } json)
        {
            lines.Add($"report          {json}");
        }
        if (options.HtmlPath is { } html)
        {
            lines.Add($"html            {html}");
        }
        if (options.StatsPath is { } stats)
        {
            lines.Add($"stats           {stats}");
        }
        if (options.FailuresPath is { } failures)
        {
            lines.Add($"failures        {failures} ({Plural.Of(report.Failed, "account")})");
        }
        if (options.TraceErrorsPath is { } trace)
        {
            lines.Add($"trace errors    {trace} ({Plural.Of(report.FailedTransactions ?? 0, "failed transaction")})");
        }
        lines.Add(IsSuccess(report, options) ? "result          OK" : "result          FAILED" + (report.Interrupted ? " (interrupted)" : ""));
        foreach (var line in lines)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}
