using System.Globalization;

namespace SipActors.Cli.Calls;

/// <summary>The lines a calls run ends with, and whether it succeeded (the exit code).</summary>
internal static class CallsSummary
{
    /// <summary>
    /// Every account registered and un-registered, at least one call answered, no call failed, none
    /// left up, not interrupted. Calls the end of the run cancelled before their answer are not failures.
    /// </summary>
    public static bool IsSuccess(CallsReport report)
        => !report.Interrupted
            && report.Registered == report.Accounts
            && report.Unregistered == report.Registered
            && report.CallsAnswered > 0
            && report.CallsFailed == 0
            && report.CallsLeftUp == 0;

    public static async Task WriteAsync(TextWriter output, CallsReport report, IReadOnlyList<string> notes)
    {
        static string F(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);
        var answeredShare = report.CallsAttempted > 0 ? 100.0 * report.CallsAnswered / report.CallsAttempted : 0;
        var lines = new List<string>
        {
            "",
            $"accounts        {F(report.Accounts)} ({F(report.Callers)} callers, {(report.Settings.Target is { } target ? "calling " + target : F(report.Callees) + " callees")}), {F(report.Registered)} registered, {F(report.Unregistered)} un-registered",
        };
        if (report.RegistrationFailed > 0)
        {
            lines.Add($"not registered  {F(report.RegistrationFailed)}: " + string.Join(", ", report.RegistrationFailuresByCause.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {F(c.Value)}")));
        }
        lines.Add($"calls           {F(report.CallsAttempted)} placed, {F(report.CallsAnswered)} answered ({F(answeredShare, "0.#")} %), {F(report.CallsFailed)} failed, {F(report.CallsCompleted)} completed, {F(report.CallsCancelledAtStop)} cancelled at the end");
        if (report.FailuresByCause.Count > 0)
        {
            lines.Add("failures        " + string.Join(", ", report.FailuresByCause.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {F(c.Value)}")));
            foreach (var (cause, details) in report.FailureDetails.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                lines.Add($"  {cause}: {string.Join("; ", details)}");
            }
        }
        lines.Add($"rate            {F(report.AnsweredPerSecond, "0.#")} answered/s over {F(report.CallingSeconds, "0.#")} s of calling; peak {F(report.ConcurrentPeak)} up at once");
        lines.Add($"setup (ms)      p50 {F(report.SetupMs.P50, "0.0")}  p90 {F(report.SetupMs.P90, "0.0")}  p99 {F(report.SetupMs.P99, "0.0")}  max {F(report.SetupMs.Max, "0.0")}");
        lines.Add($"ringing (ms)    p50 {F(report.RingMs.P50, "0.0")}  p99 {F(report.RingMs.P99, "0.0")}; BYE -> 200 p50 {F(report.ByeMs.P50, "0.0")}  p99 {F(report.ByeMs.P99, "0.0")}");
        lines.Add("INVITEs         " + (report.InviteResponses.Count == 0 ? "none" : string.Join(", ", report.InviteResponses.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {F(r.Value)}"))) + "; BYEs " + (report.ByeResponses.Count == 0 ? "none" : string.Join(", ", report.ByeResponses.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {F(r.Value)}")))
            + $"; retransmissions {F(report.Retransmissions)}, timeouts {F(report.TransactionTimeouts)}");
        lines.Add($"left up         {F(report.CallsLeftUp)} calls");
        lines.Add($"process         {F(report.CpuSeconds, "0.0")} CPU s over {F(report.DurationSeconds, "0.0")} s ({F(report.DurationSeconds > 0 ? report.CpuSeconds / report.DurationSeconds : 0, "0.00")} cores), peak working set {F(report.PeakWorkingSetBytes / 1048576.0, "0")} MiB");
        foreach (var note in notes)
        {
            lines.Add("note            " + note);
        }
        lines.Add(IsSuccess(report) ? "result          OK" : "result          FAILED" + (report.Interrupted ? " (interrupted)" : ""));
        foreach (var line in lines)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}
