using System.Globalization;
using System.Net;
using System.Text;
using SipActors.Cli.Load;

namespace SipActors.Cli.Calls;

/// <summary>The <c>--html</c> report of a calls run: the figures, calls over time and the setup-time histogram, one file, no script.</summary>
internal static class CallsHtmlReport
{
    public static string Render(CallsReport report)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        static string F(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);
        var html = new StringBuilder(32 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>sipactors calls report</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#212121}table{border-collapse:collapse}td,th{padding:2px 12px;text-align:left;border-bottom:1px solid #eee}td.n{text-align:right}</style></head><body>\n")
            .Append("<h1>sipactors calls</h1>\n<p>")
            .Append(E($"{report.Settings.Server} ({report.Settings.Transport}{(report.Settings.EmbeddedRegistrar ? ", embedded registrar" : "")}), {report.Settings.Cps} calls/s, hold {F(report.Settings.HoldSeconds, "0.##")} s, started {report.StartedAt:u}; SDP: {report.Settings.Sdp}"))
            .Append("</p>\n<table>\n");
        void Row(string name, string value) => html.Append("<tr><th>").Append(E(name)).Append("</th><td class=\"n\">").Append(E(value)).Append("</td></tr>\n");
        Row("accounts", $"{F(report.Accounts)} ({F(report.Callers)} callers, {F(report.Callees)} callees)");
        Row("registered / un-registered", $"{F(report.Registered)} / {F(report.Unregistered)}");
        Row("calls placed", F(report.CallsAttempted));
        Row("answered", F(report.CallsAnswered));
        Row("failed", F(report.CallsFailed));
        foreach (var (cause, count) in report.FailuresByCause.OrderByDescending(c => c.Value))
        {
            Row("  " + cause, F(count));
        }
        Row("cancelled at the end", F(report.CallsCancelledAtStop));
        Row("peak up at once", F(report.ConcurrentPeak));
        Row("setup p50 / p90 / p99 / max (ms)", $"{F(report.SetupMs.P50, "0.0")} / {F(report.SetupMs.P90, "0.0")} / {F(report.SetupMs.P99, "0.0")} / {F(report.SetupMs.Max, "0.0")}");
        Row("ringing p50 / p99 (ms)", $"{F(report.RingMs.P50, "0.0")} / {F(report.RingMs.P99, "0.0")}");
        Row("BYE to 200 p50 / p99 (ms)", $"{F(report.ByeMs.P50, "0.0")} / {F(report.ByeMs.P99, "0.0")}");
        Row("retransmissions / timeouts", $"{F(report.Retransmissions)} / {F(report.TransactionTimeouts)}");
        Row("CPU seconds / duration", $"{F(report.CpuSeconds, "0.0")} / {F(report.DurationSeconds, "0.0")} s");
        html.Append("</table>\n<h2>Calls over time</h2>\n").Append(SvgChart.CallsTimeline(report.Timeline))
            .Append("\n<h2>Setup time</h2>\n").Append(SvgChart.Histogram(report.SetupHistogram, "Call setup time histogram", "calls", "INVITE to 200 OK, ms (log scale; upper bound of each bucket)"))
            .Append("\n</body></html>\n");
        return html.ToString();
    }
}
