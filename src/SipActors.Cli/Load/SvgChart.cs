using System.Globalization;
using System.Net;
using System.Text;

namespace SipActors.Cli.Load;

/// <summary>
/// The two inline SVG charts of the HTML report: registrations over time and the latency histogram.
/// The markup is well-formed XML with no script. Every number goes through the invariant culture, and
/// every scale is guarded against empty and all-zero data, so no NaN, Infinity or "1,5" can reach an
/// attribute. Empty data draws the frame with "no data" in it.
/// </summary>
internal static class SvgChart
{
    private const double Width = 720;
    private const double Height = 300;
    private const double Left = 64;
    private const double Right = 20;
    private const double Top = 34;
    private const double Bottom = 46;
    private const double PlotWidth = Width - Left - Right;
    private const double PlotHeight = Height - Top - Bottom;

    private const string RegisteredColor = "#2e7d32";
    private const string RegisteredNowColor = "#00897b";
    private const string FailedColor = "#c62828";
    private const string InFlightColor = "#1565c0";
    private const string BarColor = "#3f6fb5";
    private const string GridColor = "#e0e0e0";
    private const string AxisColor = "#616161";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Cumulative registered and failed accounts, accounts registered at each moment (which drops
    /// in an outage, unlike the cumulative line) and accounts in flight, over seconds since the start.
    /// </summary>
    public static string Timeline(IReadOnlyList<TimelinePoint> timeline)
    {
        var svg = Open("Registrations over time");
        var points = timeline.Where(p => double.IsFinite(p.Second)).OrderBy(p => p.Second).ToList();
        if (points.Count == 0)
        {
            return NoData(svg);
        }

        var x = Scale.For(points.Max(p => p.Second), integer: false, ticks: 8);
        var y = Scale.For(points.Max(p => Math.Max(Math.Max(p.Registered, p.RegisteredNow), Math.Max(p.Failed, p.InFlight))), integer: true, ticks: 5);
        // Reports from before the "now" figure existed have none: no flat line at zero for them.
        var hasNow = points.Any(p => p.RegisteredNow > 0 || p.Losses > 0);
        YGrid(svg, y, "accounts");
        for (var tick = 0; tick <= x.Ticks; tick++)
        {
            var value = tick * x.Step;
            var px = Left + (value / x.Max * PlotWidth);
            svg.Append(Invariant, $"<line x1=\"{N(px)}\" y1=\"{N(Top + PlotHeight)}\" x2=\"{N(px)}\" y2=\"{N(Top + PlotHeight + 5)}\" stroke=\"{AxisColor}\" />\n");
            svg.Append(Invariant, $"<text x=\"{N(px)}\" y=\"{N(Top + PlotHeight + 18)}\" text-anchor=\"middle\">{value.ToString("0.##", Invariant)}</text>\n");
        }
        XTitle(svg, "seconds since start");

        var last = points[^1];
        Series(svg, points, p => p.Registered, x, y, RegisteredColor, dashed: false);
        if (hasNow)
        {
            Series(svg, points, p => p.RegisteredNow, x, y, RegisteredNowColor, dashed: false);
        }
        Series(svg, points, p => p.Failed, x, y, FailedColor, dashed: false);
        Series(svg, points, p => p.InFlight, x, y, InFlightColor, dashed: true);
        var legend = Left;
        legend = LegendItem(svg, legend, RegisteredColor, dashed: false, $"registered ({last.Registered.ToString("N0", Invariant)})");
        if (hasNow)
        {
            legend = LegendItem(svg, legend, RegisteredNowColor, dashed: false, $"registered now (lost {last.Losses.ToString("N0", Invariant)})");
        }
        legend = LegendItem(svg, legend, FailedColor, dashed: false, $"failed ({last.Failed.ToString("N0", Invariant)})");
        LegendItem(svg, legend, InFlightColor, dashed: true, $"in flight (peak {points.Max(p => p.InFlight).ToString("N0", Invariant)})");
        return Close(svg);
    }

    /// <summary>Calls placed, answered and failed (cumulative) and calls up at each moment (<c>sipactors calls</c>), over seconds since the start.</summary>
    public static string CallsTimeline(IReadOnlyList<Calls.CallsTimelinePoint> timeline)
    {
        var svg = Open("Calls over time");
        var points = timeline.Where(p => double.IsFinite(p.Second)).OrderBy(p => p.Second).ToList();
        if (points.Count == 0)
        {
            return NoData(svg);
        }
        var x = Scale.For(points.Max(p => p.Second), integer: false, ticks: 8);
        var y = Scale.For(points.Max(p => Math.Max(Math.Max(p.Attempted, p.Answered), Math.Max(p.Failed, p.Up))), integer: true, ticks: 5);
        YGrid(svg, y, "calls");
        for (var tick = 0; tick <= x.Ticks; tick++)
        {
            var value = tick * x.Step;
            var px = Left + (value / x.Max * PlotWidth);
            svg.Append(Invariant, $"<line x1=\"{N(px)}\" y1=\"{N(Top + PlotHeight)}\" x2=\"{N(px)}\" y2=\"{N(Top + PlotHeight + 5)}\" stroke=\"{AxisColor}\" />\n");
            svg.Append(Invariant, $"<text x=\"{N(px)}\" y=\"{N(Top + PlotHeight + 18)}\" text-anchor=\"middle\">{value.ToString("0.##", Invariant)}</text>\n");
        }
        XTitle(svg, "seconds since start");
        var last = points[^1];
        Series(svg, points, p => p.Second, p => p.Attempted, x, y, InFlightColor, dashed: false);
        Series(svg, points, p => p.Second, p => p.Answered, x, y, RegisteredColor, dashed: false);
        Series(svg, points, p => p.Second, p => p.Failed, x, y, FailedColor, dashed: false);
        Series(svg, points, p => p.Second, p => p.Up, x, y, RegisteredNowColor, dashed: true);
        var legend = Left;
        legend = LegendItem(svg, legend, InFlightColor, dashed: false, $"placed ({last.Attempted.ToString("N0", Invariant)})");
        legend = LegendItem(svg, legend, RegisteredColor, dashed: false, $"answered ({last.Answered.ToString("N0", Invariant)})");
        legend = LegendItem(svg, legend, FailedColor, dashed: false, $"failed ({last.Failed.ToString("N0", Invariant)})");
        LegendItem(svg, legend, RegisteredNowColor, dashed: true, $"up (peak {points.Max(p => p.Up).ToString("N0", Invariant)})");
        return Close(svg);
    }

    /// <summary>
    /// One bar per bucket on a log-scale latency axis, each as wide as its bucket (lower to upper
    /// bound) on that scale, each tick at a bucket's right edge labelled with its upper bound.
    /// Buckets whose bounds cannot be placed on a log axis (zero, not finite: hand-made or damaged
    /// reports) are drawn as equal slots instead.
    /// </summary>
    public static string Histogram(IReadOnlyList<HistogramBucket> buckets)
        => Histogram(buckets, "Registration latency histogram", "registrations", "latency, ms (log scale; upper bound of each bucket)");

    /// <summary>The histogram of another latency (a call's setup time): its title and axis titles.</summary>
    public static string Histogram(IReadOnlyList<HistogramBucket> buckets, string title, string countTitle, string latencyTitle)
    {
        var svg = Open(title);
        if (buckets.Count == 0)
        {
            return NoData(svg);
        }

        var y = Scale.For(buckets.Max(b => b.Count), integer: true, ticks: 5);
        YGrid(svg, y, countTitle);
        var spans = LogSpans(buckets);
        var labelEvery = (int)Math.Ceiling(buckets.Count / 12.0);
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var count = Math.Max(bucket.Count, 0);
            // A non-empty bucket keeps at least one pixel, so a lone slow registration stays visible.
            var height = count == 0 ? 0 : Math.Max(1, count / y.Max * PlotHeight);
            var bound = Ms(bucket.UpperMs);
            var (from, to) = spans[i];
            var left = Left + (from * PlotWidth);
            var width = (to - from) * PlotWidth;
            // A thin gap between neighbours, a share of the narrower of the two kinds of bar.
            var gap = Math.Min(width * 0.1, 2);
            svg.Append(Invariant, $"<rect x=\"{N(left + gap)}\" y=\"{N(Top + PlotHeight - height)}\" width=\"{N(Math.Max(width - (2 * gap), 0.5))}\" height=\"{N(height)}\" fill=\"{BarColor}\">");
            svg.Append(Invariant, $"<title>{Ms(bucket.LowerMs)} to {bound} ms: {count.ToString("N0", Invariant)}</title></rect>\n");
            if ((buckets.Count - 1 - i) % labelEvery == 0)
            {
                var px = Left + (to * PlotWidth);
                svg.Append(Invariant, $"<line x1=\"{N(px)}\" y1=\"{N(Top + PlotHeight)}\" x2=\"{N(px)}\" y2=\"{N(Top + PlotHeight + 5)}\" stroke=\"{AxisColor}\" />\n");
                svg.Append(Invariant, $"<text x=\"{N(px)}\" y=\"{N(Top + PlotHeight + 18)}\" text-anchor=\"middle\">{bound}</text>\n");
            }
        }
        XTitle(svg, latencyTitle);
        return Close(svg);
    }

    /// <summary>
    /// Each bucket's place on the axis as fractions of its width: log10 of its bounds, scaled
    /// from the first lower bound to the last upper one. A missing lower bound (older reports)
    /// is the previous bucket's upper bound, or a fifth of a decade below the first upper bound.
    /// </summary>
    private static (double From, double To)[] LogSpans(IReadOnlyList<HistogramBucket> buckets)
    {
        var spans = new (double From, double To)[buckets.Count];
        var logs = new (double Lower, double Upper)[buckets.Count];
        var placeable = true;
        for (var i = 0; i < buckets.Count && placeable; i++)
        {
            var upper = buckets[i].UpperMs;
            var lower = buckets[i].LowerMs > 0 ? buckets[i].LowerMs : i > 0 ? buckets[i - 1].UpperMs : upper / Math.Pow(10, 0.2);
            placeable = double.IsFinite(upper) && double.IsFinite(lower) && lower > 0 && upper > lower
                && (i == 0 || lower >= buckets[i - 1].UpperMs);
            logs[i] = (Math.Log10(lower), Math.Log10(upper));
        }
        var total = placeable ? logs[^1].Upper - logs[0].Lower : 0;
        if (!placeable || !(total > 0))
        {
            for (var i = 0; i < spans.Length; i++)
            {
                spans[i] = ((double)i / spans.Length, (double)(i + 1) / spans.Length);
            }
            return spans;
        }
        for (var i = 0; i < spans.Length; i++)
        {
            spans[i] = ((logs[i].Lower - logs[0].Lower) / total, (logs[i].Upper - logs[0].Lower) / total);
        }
        return spans;
    }

    /// <summary>A milliseconds figure for people: 0.42, 7.5, 1,234.</summary>
    public static string Ms(double value) => !double.IsFinite(value) ? "n/a"
        : Math.Abs(value) < 10 ? value.ToString("0.##", Invariant)
        : Math.Abs(value) < 100 ? value.ToString("0.#", Invariant)
        : value.ToString("N0", Invariant);

    private static StringBuilder Open(string title)
    {
        var svg = new StringBuilder(8 * 1024);
        svg.Append(Invariant, $"<svg class=\"chart\" viewBox=\"0 0 {N(Width)} {N(Height)}\" width=\"{N(Width)}\" height=\"{N(Height)}\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"#212121\">\n");
        svg.Append("<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        // The frame first, so the series drawn later stay visible where they run along it (0 failed).
        svg.Append(Invariant, $"<rect x=\"{N(Left)}\" y=\"{N(Top)}\" width=\"{N(PlotWidth)}\" height=\"{N(PlotHeight)}\" fill=\"none\" stroke=\"{AxisColor}\" />\n");
        return svg;
    }

    private static string Close(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static string NoData(StringBuilder svg)
    {
        svg.Append(Invariant, $"<text x=\"{N(Left + (PlotWidth / 2))}\" y=\"{N(Top + (PlotHeight / 2))}\" text-anchor=\"middle\" font-size=\"16\" fill=\"{AxisColor}\">no data</text>\n");
        return Close(svg);
    }

    /// <summary>Horizontal grid lines with their labels, and the vertical axis title.</summary>
    private static void YGrid(StringBuilder svg, Scale y, string title)
    {
        for (var tick = 0; tick <= y.Ticks; tick++)
        {
            var value = tick * y.Step;
            var py = Top + PlotHeight - (value / y.Max * PlotHeight);
            if (tick > 0 && tick < y.Ticks)
            {
                svg.Append(Invariant, $"<line x1=\"{N(Left)}\" y1=\"{N(py)}\" x2=\"{N(Left + PlotWidth)}\" y2=\"{N(py)}\" stroke=\"{GridColor}\" />\n");
            }
            svg.Append(Invariant, $"<text x=\"{N(Left - 6)}\" y=\"{N(py + 4)}\" text-anchor=\"end\">{value.ToString("N0", Invariant)}</text>\n");
        }
        svg.Append(Invariant, $"<text x=\"{N(-(Top + (PlotHeight / 2)))}\" y=\"14\" transform=\"rotate(-90)\" text-anchor=\"middle\">{title}</text>\n");
    }

    private static void XTitle(StringBuilder svg, string title)
        => svg.Append(Invariant, $"<text x=\"{N(Left + (PlotWidth / 2))}\" y=\"{N(Height - 8)}\" text-anchor=\"middle\">{title}</text>\n");

    private static void Series(StringBuilder svg, List<TimelinePoint> points, Func<TimelinePoint, int> value, Scale x, Scale y, string color, bool dashed)
    {
        var coordinates = points.Select(p => (X: Left + (p.Second / x.Max * PlotWidth), Y: Top + PlotHeight - (value(p) / y.Max * PlotHeight))).ToList();
        svg.Append("<polyline points=\"")
            .AppendJoin(' ', coordinates.Select(c => N(c.X) + " " + N(c.Y)))
            .Append(Invariant, $"\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")} />\n");
        if (coordinates.Count == 1)
        {
            // A polyline of one point draws nothing: mark the point itself.
            svg.Append(Invariant, $"<circle cx=\"{N(coordinates[0].X)}\" cy=\"{N(coordinates[0].Y)}\" r=\"3\" fill=\"{color}\" />\n");
        }
    }

    private static void Series<T>(StringBuilder svg, List<T> points, Func<T, double> second, Func<T, double> value, Scale x, Scale y, string color, bool dashed)
    {
        var coordinates = points.Select(p => (X: Left + (second(p) / x.Max * PlotWidth), Y: Top + PlotHeight - (value(p) / y.Max * PlotHeight))).ToList();
        svg.Append("<polyline points=\"")
            .AppendJoin(' ', coordinates.Select(c => N(c.X) + " " + N(c.Y)))
            .Append(Invariant, $"\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")} />\n");
        if (coordinates.Count == 1)
        {
            svg.Append(Invariant, $"<circle cx=\"{N(coordinates[0].X)}\" cy=\"{N(coordinates[0].Y)}\" r=\"3\" fill=\"{color}\" />\n");
        }
    }

    /// <summary>One legend entry at <paramref name="x"/>; returns where the next one starts (labels differ in length).</summary>
    private static double LegendItem(StringBuilder svg, double x, string color, bool dashed, string label)
    {
        svg.Append(Invariant, $"<line x1=\"{N(x)}\" y1=\"16\" x2=\"{N(x + 24)}\" y2=\"16\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")} />\n");
        svg.Append(Invariant, $"<text x=\"{N(x + 30)}\" y=\"20\">{label}</text>\n");
        // About 6.5 px per character of the 12 px sans-serif, plus a gap.
        return x + 30 + (label.Length * 6.5) + 18;
    }

    /// <summary>A coordinate: invariant culture, one decimal, never NaN.</summary>
    private static string N(double value) => (double.IsFinite(value) ? value : 0).ToString("0.#", Invariant);

    /// <summary>
    /// An axis from 0 to <see cref="Max"/> in about the asked number of steps of 1, 2 or 5 × 10ⁿ. A maximum
    /// of zero (or less, or not a number) still gives an axis of one step, so nothing divides by zero.
    /// </summary>
    private readonly record struct Scale(double Step, int Ticks)
    {
        public double Max => Step * Ticks;

        public static Scale For(double max, bool integer, int ticks)
        {
            if (!double.IsFinite(max) || max <= 0)
            {
                return new Scale(1, 1);
            }
            var rough = max / ticks;
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            var normalized = rough / magnitude;
            var step = (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude;
            if (integer)
            {
                step = Math.Max(1, Math.Round(step));
            }
            return new Scale(step, Math.Max(1, (int)Math.Ceiling((max / step) - 1e-9)));
        }
    }
}
