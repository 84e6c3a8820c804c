using System.Globalization;
using System.Net;
using System.Text;

namespace SipActors.Cli.Load;

/// <summary>
/// <c>sipactors load --html FILE.html</c>: the <see cref="LoadReport"/> as one self-contained HTML5
/// page for people. Inline CSS and inline SVG charts only: no script, no font, image or stylesheet
/// from anywhere else, so the page reads the same offline, without JavaScript and on paper.
/// </summary>
/// <remarks>
/// Every string of the report is HTML-encoded (server, domain, causes and topics can come from the
/// command line or a peer), and every number is written with the invariant culture. The markup is
/// also well-formed XML, which the tests check.
/// </remarks>
internal static class HtmlReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private const string Style = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
        h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
        h2 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; }
        h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
        .context { color: #555; margin: 0; }
        .context dt { display: inline; font-weight: 600; }
        .context dd { display: inline; margin: 0 1.25rem 0 0.25rem; }
        .verdict { display: inline-block; margin: 1rem 0 0; padding: 0.4rem 0.8rem; border-radius: 4px; font-weight: 600; }
        .verdict.ok { background: #e8f5e9; color: #1b5e20; border: 1px solid #a5d6a7; }
        .verdict.fail { background: #ffebee; color: #b71c1c; border: 1px solid #ef9a9a; }
        .tables { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 0.2rem 0.75rem; border-bottom: 1px solid #e0e0e0; text-align: left; }
        td.n { text-align: right; }
        thead th { border-bottom: 2px solid #9e9e9e; }
        .none { color: #757575; font-style: italic; }
        svg.chart { max-width: 100%; height: auto; display: block; }
        footer { margin-top: 2rem; color: #757575; font-size: 0.85rem; }
        @media print {
          body { margin: 0; max-width: none; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          table, svg.chart, .verdict { break-inside: avoid; }
        }
        """;

    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(32 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Append("<title>sipactors load: ").Append(E(report.Server)).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");

        Header(html, report);
        Figures(html, report);

        html.Append("<h2>Registrations over time</h2>\n").Append(SvgChart.Timeline(report.Timeline)).Append('\n')
            .Append("<h2>Registration latency</h2>\n").Append(SvgChart.Histogram(report.LatencyHistogram)).Append('\n')
            .Append("<footer>Written by sipactors load. Latency runs from an account's first transport attempt (once it got its turn under the rate and concurrency bounds) to <code>connection:registered</code>, digest challenge included.</footer>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, LoadReport report)
    {
        var startedAt = report.StartedAt.ToUniversalTime();
        html.Append("<header>\n<h1>sipactors load report</h1>\n<dl class=\"context\">\n")
            .Append("<dt>Server</dt><dd>").Append(E(report.Server)).Append("</dd>\n")
            .Append("<dt>Domain</dt><dd>").Append(E(report.Domain)).Append("</dd>\n")
            .Append(Invariant, $"<dt>Started</dt><dd><time datetime=\"{startedAt:yyyy-MM-dd'T'HH:mm:ss'Z'}\">{startedAt:yyyy-MM-dd HH:mm:ss} UTC</time></dd>\n")
            .Append("<dt>Accounts</dt><dd>").Append(Count(report.Accounts)).Append("</dd>\n</dl>\n");

        var allRegistered = report.Accounts > 0 && report.Registered >= report.Accounts && report.Failed == 0;
        var verdict = allRegistered
            ? $"All {Count(report.Accounts)} accounts registered"
            : $"{Count(report.Registered)} of {Count(report.Accounts)} accounts registered, {Count(report.Failed)} failed";
        if (report.Losses > 0)
        {
            // Registered once is not registered throughout: an outage must not read as a clean run.
            verdict += $"; {Count(report.Losses)} registrations lost, {Count(report.Reregistrations)} back, {Count(report.RegisteredAtHoldEnd)} of {Count(report.Accounts)} registered at the end of the hold";
            allRegistered &= report.RegisteredAtHoldEnd >= report.Accounts;
        }
        if (report.Interrupted)
        {
            verdict += " (run interrupted)";
        }
        html.Append("<p class=\"verdict ").Append(allRegistered ? "ok" : "fail").Append("\">")
            .Append(E(verdict)).Append("</p>\n</header>\n");
    }

    private static void Figures(StringBuilder html, LoadReport report)
    {
        html.Append("<h2>Key figures</h2>\n<div class=\"tables\">\n<table>\n<tbody>\n");
        Row(html, "Registered", Count(report.Registered));
        Row(html, "Registered at the end of the hold", Count(report.RegisteredAtHoldEnd));
        Row(html, "Registrations lost", Count(report.Losses));
        Row(html, "Re-registrations", Count(report.Reregistrations));
        Row(html, "Failed", Count(report.Failed));
        Row(html, "Registration rate", Number(report.RegistrationRate, "N1") + " /s");
        Row(html, "Ramp", Number(report.RampSeconds, "N1") + " s");
        Row(html, "Latency p50", SvgChart.Ms(report.LatencyMs.P50) + " ms");
        Row(html, "Latency p90", SvgChart.Ms(report.LatencyMs.P90) + " ms");
        Row(html, "Latency p99", SvgChart.Ms(report.LatencyMs.P99) + " ms");
        Row(html, "Latency max", SvgChart.Ms(report.LatencyMs.Max) + " ms");
        Row(html, "Refreshes", Count(report.Refreshes));
        Row(html, "Refresh failures", Count(report.RefreshFailures));
        Row(html, "Retransmissions", Count(report.Retransmissions));
        Row(html, "Transaction timeouts", Count(report.TransactionTimeouts));
        Row(html, "Unregistered", Count(report.Unregistered));
        Row(html, "Duration", Number(report.DurationSeconds, "N1") + " s");
        Row(html, "Peak working set", Number(report.PeakWorkingSetBytes / (1024.0 * 1024.0), "N1") + " MiB");
        html.Append("</tbody>\n</table>\n");

        Breakdown(html, "Failure cause", "Accounts",
            report.FailuresByCause.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => (c.Key, Count(c.Value))));
        Breakdown(html, "Event topic", "Events",
            report.Events.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, Count(e.Value))));
        html.Append("</div>\n");
        FailureDetails(html, report);
        Settings(html, report.Settings);
    }

    /// <summary>Why accounts failed: each cause's first distinct error texts, then the first failed accounts.</summary>
    private static void FailureDetails(StringBuilder html, LoadReport report)
    {
        if (report.FailureDetails.Count == 0 && report.Failures.Count == 0)
        {
            return;
        }
        html.Append("<h2>Why accounts failed</h2>\n");
        if (report.FailureDetails.Count > 0)
        {
            html.Append("<table>\n<thead><tr><th>Cause</th><th>Accounts</th><th>First distinct details</th></tr></thead>\n<tbody>\n");
            foreach (var (cause, details) in report.FailureDetails.OrderByDescending(d => report.FailuresByCause.GetValueOrDefault(d.Key)).ThenBy(d => d.Key, StringComparer.Ordinal))
            {
                html.Append("<tr><th scope=\"row\">").Append(E(cause)).Append("</th><td class=\"n\">").Append(Count(report.FailuresByCause.GetValueOrDefault(cause)))
                    .Append("</td><td>").AppendJoin("<br />", details.Select(d => E(LoadSummary.Detail(cause, d, report.Server)))).Append("</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }
        if (report.Failures.Count > 0)
        {
            html.Append(Invariant, $"<h3>First {report.Failures.Count} failed accounts of {Count(report.Failed)}</h3>\n");
            html.Append("<table>\n<thead><tr><th>Account</th><th>Cause</th><th>Status</th><th>Detail</th></tr></thead>\n<tbody>\n");
            foreach (var failure in report.Failures)
            {
                html.Append("<tr><td>").Append(E(failure.Id)).Append("</td><td>").Append(E(failure.Cause)).Append("</td><td class=\"n\">")
                    .Append(failure.Status?.ToString(Invariant) ?? "").Append("</td><td>").Append(E(failure.Detail)).Append("</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }
    }

    /// <summary>The run's settings and machine, so that two reports can be compared.</summary>
    private static void Settings(StringBuilder html, RunSettings? settings)
    {
        if (settings is null)
        {
            return;
        }
        html.Append("<h2>Settings</h2>\n<table>\n<tbody>\n");
        Row(html, "Server", settings.Server + (settings.EmbeddedRegistrar ? " (embedded registrar)" : ""));
        Row(html, "Transport", settings.Transport);
        Row(html, "Accounts", Count(settings.Accounts));
        Row(html, "Rate", settings.RateStages is { } stages ? stages + " (stages)" : settings.Rate is { } rate ? Number(rate, "0.##") + " /s" : "unlimited");
        Row(html, "Concurrency", Count(settings.Concurrency));
        Row(html, "Expires", Count(settings.Expires) + " s");
        Row(html, "Hold", Number(settings.HoldSeconds, "0.#") + " s");
        Row(html, "Connect timeout", Number(settings.ConnectTimeoutSeconds, "0.#") + " s");
        Row(html, "Un-register at the end", settings.Unregister ? "yes" : "no");
        Row(html, "sipactors", settings.Version);
        Row(html, "Machine", $"{settings.Machine.Name}, {Count(settings.Machine.Processors)} processors, {settings.Machine.OperatingSystem}, {settings.Machine.Runtime}");
        html.Append("</tbody>\n</table>\n");
    }

    private static void Breakdown(StringBuilder html, string keyHeader, string valueHeader, IEnumerable<(string Key, string Value)> rows)
    {
        html.Append("<table>\n<thead><tr><th>").Append(E(keyHeader)).Append("</th><th>").Append(E(valueHeader))
            .Append("</th></tr></thead>\n<tbody>\n");
        var any = false;
        foreach (var (key, value) in rows)
        {
            Row(html, key, value);
            any = true;
        }
        if (!any)
        {
            html.Append("<tr><td class=\"none\" colspan=\"2\">none</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void Row(StringBuilder html, string label, string value)
        => html.Append("<tr><th scope=\"row\">").Append(E(label)).Append("</th><td class=\"n\">").Append(E(value)).Append("</td></tr>\n");

    private static string Count(long value) => value.ToString("N0", Invariant);

    private static string Number(double value, string format) => double.IsFinite(value) ? value.ToString(format, Invariant) : "n/a";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
