using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

public sealed partial class HtmlReportTests
{
    /// <summary>Numeric SVG attributes: none may hold a comma (a culture's decimal separator) or be empty.</summary>
    [GeneratedRegex("""\s(points|x|y|x1|y1|x2|y2|cx|cy|r|width|height|viewBox|transform)="([^"]*)"(?=[\s/>])""")]
    private static partial Regex NumericAttribute();

    [Fact]
    public void Should_render_both_charts_without_script_or_external_resource()
    {
        var html = HtmlReport.Render(Realistic());

        // Set SIPACTORS_SAMPLE_HTML=/tmp/sample-load-report.html to look at the page.
        if (Environment.GetEnvironmentVariable("SIPACTORS_SAMPLE_HTML") is { Length: > 0 } path)
        {
            File.WriteAllText(path, html);
        }

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(html, "<svg"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("no data", html, StringComparison.Ordinal);
        Assert.Contains("All 10,000 accounts registered", html, StringComparison.Ordinal);
        Assert.Contains("<polyline", html, StringComparison.Ordinal);
        Assert.Contains("<rect", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_that_latency_runs_from_the_first_transport_attempt()
    {
        var html = HtmlReport.Render(Realistic());

        Assert.Contains("Latency runs from an account's first transport attempt", html, StringComparison.Ordinal);
        Assert.DoesNotContain("from the connect command", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_draw_each_latency_bar_as_wide_as_its_bucket_on_a_log_scale()
    {
        // 1-2 ms spans log10(2) = 0.30 of a decade, 2-10 ms log10(5) = 0.70: the bars differ in width.
        var report = Realistic() with
        {
            LatencyHistogram = [new HistogramBucket(2, 10) { LowerMs = 1 }, new HistogramBucket(10, 10) { LowerMs = 2 }],
        };

        var svg = XDocument.Parse(HtmlReport.Render(report)).Descendants().Where(e => e.Name.LocalName == "svg").Last();
        var widths = svg.Descendants().Where(e => e.Name.LocalName == "rect" && (string?)e.Attribute("fill") == "#3f6fb5")
            .Select(e => double.Parse((string)e.Attribute("width")!, CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(2, widths.Count);
        Assert.InRange(widths[0] / widths[1], Math.Log10(2) / Math.Log10(5) * 0.9, Math.Log10(2) / Math.Log10(5) * 1.1);
    }

    [Fact]
    public void Should_show_registrations_lost_in_an_outage_as_a_failed_run()
    {
        // Registered throughout the cumulative line; 2,000 lost at second 8 and back by second 11, 150 still missing.
        var report = Realistic() with
        {
            Losses = 2_000,
            Reregistrations = 1_850,
            RegisteredAtHoldEnd = 9_850,
            Timeline = [.. Realistic().Timeline.Select(p => p with
            {
                RegisteredNow = p.Second is >= 8 and < 11 ? p.Registered - 2_000 : p.Second >= 11 ? p.Registered - 150 : p.Registered,
                Losses = p.Second >= 8 ? 2_000 : 0,
                Reregistrations = p.Second >= 11 ? 1_850 : 0,
            })],
        };

        var html = HtmlReport.Render(report);

        Assert.Contains("<p class=\"verdict fail\">All 10,000 accounts registered; 2,000 registrations lost, 1,850 back, 9,850 of 10,000 registered at the end of the hold</p>", html, StringComparison.Ordinal);
        Assert.Contains("registered now (lost 2,000)", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">Registrations lost</th><td class=\"n\">2,000</td>", html, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Count(html, "<polyline")); // registered, registered now, failed, in flight
        XDocument.Parse(html);
    }

    [Fact]
    public void Should_be_well_formed_xml()
    {
        var document = XDocument.Parse(HtmlReport.Render(Realistic()));

        Assert.Equal("html", document.Root!.Name.LocalName);
        Assert.Equal(2, document.Descendants("svg").Count());
        Assert.Equal(3, document.Descendants("table").Count());
    }

    [Fact]
    public void Should_encode_every_string_of_the_report()
    {
        var report = Realistic() with
        {
            Server = "udp://<i>evil</i>:5060",
            Domain = "a&b",
            Registered = 9_999,
            Failed = 1,
            FailuresByCause = new Dictionary<string, int> { ["<b>\"x\"&"] = 1 },
            Events = new Dictionary<string, long> { ["connection:<registered>"] = 9_999 },
        };

        var html = HtmlReport.Render(report);

        Assert.Contains("&lt;b&gt;&quot;x&quot;&amp;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("udp://&lt;i&gt;evil&lt;/i&gt;:5060", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.Contains("a&amp;b", html, StringComparison.Ordinal);
        Assert.Contains("connection:&lt;registered&gt;", html, StringComparison.Ordinal);
        Assert.Contains("9,999 of 10,000 accounts registered, 1 failed", html, StringComparison.Ordinal);
        XDocument.Parse(html);
    }

    [Fact]
    public void Should_write_invariant_numbers_under_a_comma_decimal_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        string html;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal(",", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator);
            html = HtmlReport.Render(Realistic());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        AssertNumbersAreClean(html);
        Assert.Contains("833.3 /s", html, StringComparison.Ordinal);
        Assert.Contains("2.75 ms", html, StringComparison.Ordinal);
        Assert.Contains("12.0 s", html, StringComparison.Ordinal);
    }

    public static TheoryData<string, LoadReport> Degenerate()
    {
        var empty = Realistic() with
        {
            Accounts = 0,
            Registered = 0,
            Failed = 0,
            FailuresByCause = new Dictionary<string, int>(),
            Events = new Dictionary<string, long>(),
            RegistrationRate = double.NaN,
            RampSeconds = 0,
            DurationSeconds = 0,
            LatencyMs = new LatencySummary(0, 0, 0, 0),
            Timeline = [],
            LatencyHistogram = [],
        };
        return new TheoryData<string, LoadReport>
        {
            { "empty", empty },
            { "one point at zero", empty with { Timeline = [new TimelinePoint(0, 0, 0, 0)] } },
            { "one point", empty with { Timeline = [new TimelinePoint(1, 5, 1, 0)], LatencyHistogram = [new HistogramBucket(2.5, 5)] } },
            { "all zeros", empty with { Timeline = [new TimelinePoint(0, 0, 0, 0), new TimelinePoint(1, 0, 0, 0), new TimelinePoint(2, 0, 0, 0)], LatencyHistogram = [new HistogramBucket(0, 0), new HistogramBucket(0, 0)] } },
            { "not finite", empty with { RegistrationRate = double.PositiveInfinity, LatencyMs = new LatencySummary(double.NaN, 1, 1, double.PositiveInfinity), Timeline = [new TimelinePoint(double.NaN, 1, 0, 0), new TimelinePoint(1, 1, 0, 0)], LatencyHistogram = [new HistogramBucket(double.NaN, 1)] } },
        };
    }

    [Theory]
    [MemberData(nameof(Degenerate))]
    public void Should_render_degenerate_data_without_nan(string name, LoadReport report)
    {
        var html = HtmlReport.Render(report);

        Assert.False(string.IsNullOrEmpty(name));
        AssertNumbersAreClean(html);
        Assert.Equal(2, Regex.Count(html, "<svg"));
        if (report.Timeline.Count == 0)
        {
            Assert.Contains("no data", html, StringComparison.Ordinal);
        }
        Assert.Contains("<p class=\"verdict fail\">", html, StringComparison.Ordinal);
        XDocument.Parse(html);
    }

    private static void AssertNumbersAreClean(string html)
    {
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\u221E", html, StringComparison.Ordinal);
        var attributes = NumericAttribute().Matches(html);
        Assert.NotEmpty(attributes);
        Assert.All(attributes, a =>
        {
            Assert.DoesNotContain(",", a.Groups[2].Value, StringComparison.Ordinal);
            Assert.Matches("""^[-0-9. a-z()]+$""", a.Groups[2].Value);
        });
    }

    /// <summary>10,000 accounts registered over 12 s at about 833/s, held 2 s, then un-registered.</summary>
    private static LoadReport Realistic()
    {
        var timeline = new List<TimelinePoint>();
        for (var second = 0; second <= 15; second++)
        {
            var registered = Math.Min(10_000, (int)(second * 833.3));
            var inFlight = second < 12 ? 200 + (second % 3 * 15) : 0;
            timeline.Add(new TimelinePoint(second, registered, 0, second == 0 ? 200 : inFlight));
        }
        double[] bounds = [0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 412.7];
        long[] counts = [3, 120, 1_100, 2_400, 2_900, 1_800, 900, 420, 190, 80, 40, 20, 12, 8, 4, 2, 0, 1];
        return new LoadReport
        {
            Accounts = 10_000,
            Registered = 10_000,
            Failed = 0,
            FailuresByCause = new Dictionary<string, int>(),
            RegistrationRate = 833.3333,
            LatencyMs = new LatencySummary(2.75, 6.4, 48.25, 412.7),
            Refreshes = 0,
            RefreshFailures = 0,
            Unregistered = 10_000,
            DurationSeconds = 15.2,
            PeakWorkingSetBytes = 187_654_321,
            Events = new Dictionary<string, long>
            {
                ["connection:connecting"] = 10_000,
                ["connection:registered"] = 10_000,
                ["connection:unregistered"] = 10_000,
                ["connection:disconnected"] = 10_000,
            },
            Server = "udp://127.0.0.1:5060",
            Domain = "127.0.0.1",
            StartedAt = new DateTimeOffset(2026, 3, 14, 9, 26, 53, TimeSpan.Zero),
            RampSeconds = 12.0,
            Timeline = timeline,
            LatencyHistogram = [.. bounds.Zip(counts, (bound, count) => new HistogramBucket(bound, count))],
        };
    }
}
