using System.Globalization;
using System.Text;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The report's pictures as plain SVG (no charting package): per-turn overhead and TTFT percentiles per transport as
/// grouped bars, mean TTFT by turn number as lines (shows what KV reuse does to later turns), and throughput against
/// the number of conversations at once.
/// </summary>
internal static class LatencyCharts
{
    private static readonly string[] Colors = ["#d62728", "#1f77b4", "#2ca02c"];
    private const int Width = 640, Height = 320, Left = 60, Right = 20, Top = 40, Bottom = 50;

    /// <summary>Grouped bars: for each metric, p50/p95/p99 of each transport.</summary>
    public static string Percentiles(IReadOnlyList<TransportResult> results, string title, Func<TransportResult, Percentiles> metric)
    {
        var svg = Begin(title);
        var values = results.Select(metric).ToArray();
        double max = Max(values.SelectMany(p => new[] { p.P50, p.P95, p.P99 }));
        string[] groups = ["p50", "p95", "p99"];
        double groupWidth = (Width - Left - Right) / (double)groups.Length;
        double barWidth = groupWidth * 0.8 / Math.Max(1, results.Count);
        Axis(svg, max);
        for (int g = 0; g < groups.Length; g++)
        {
            double x0 = Left + g * groupWidth + groupWidth * 0.1;
            Text(svg, x0 + groupWidth * 0.4, Height - Bottom + 18, groups[g], "middle");
            for (int t = 0; t < results.Count; t++)
            {
                double v = g switch { 0 => values[t].P50, 1 => values[t].P95, _ => values[t].P99 };
                if (double.IsNaN(v)) continue;
                double h = v / max * (Height - Top - Bottom);
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0 + t * barWidth:F1}\" y=\"{Height - Bottom - h:F1}\" width=\"{barWidth * 0.9:F1}\" height=\"{h:F1}\" fill=\"{Colors[t % Colors.Length]}\"><title>{BenchTransportNames.Name(results[t].Transport)} {groups[g]}: {v:F1} ms</title></rect>\n");
            }
        }
        Legend(svg, results);
        return End(svg);
    }

    /// <summary>Lines: mean TTFT of turn 1, 2, … per transport.</summary>
    public static string TtftByTurn(IReadOnlyList<TransportResult> results, int turns)
    {
        var svg = Begin("TTFT by turn number (ms, mean over conversations)");
        var series = results.Select(r => r.TtftByTurn(turns)).ToArray();
        double max = Max(series.SelectMany(s => s));
        Axis(svg, max);
        double step = turns <= 1 ? 0 : (Width - Left - Right) / (double)(turns - 1);
        for (int i = 0; i < turns; i++)
            if (turns <= 20 || i % (turns / 10) == 0) Text(svg, Left + i * step, Height - Bottom + 18, (i + 1).ToString(CultureInfo.InvariantCulture), "middle");
        for (int t = 0; t < series.Length; t++)
        {
            var points = new StringBuilder();
            for (int i = 0; i < turns; i++)
                if (!double.IsNaN(series[t][i]))
                    points.Append(CultureInfo.InvariantCulture, $"{Left + i * step:F1},{Height - Bottom - series[t][i] / max * (Height - Top - Bottom):F1} ");
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Colors[t % Colors.Length]}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>\n");
        }
        Legend(svg, results);
        return End(svg);
    }

    /// <summary>
    /// Lines: output tokens/s of all conversations together against conversations at once, one line per transport
    /// (levels in ascending order, evenly spaced).
    /// </summary>
    public static string ThroughputByConcurrency(IReadOnlyList<LevelResult> levels)
    {
        var svg = Begin("Output tokens/s of all conversations vs conversations at once");
        var ordered = levels.OrderBy(l => l.Concurrency).ToArray();
        var transports = levels[0].Transports;
        double max = Max(ordered.SelectMany(l => l.Transports.Select(r => r.OutputTokensPerSecond)));
        Axis(svg, max);
        double step = ordered.Length <= 1 ? 0 : (Width - Left - Right) / (double)(ordered.Length - 1);
        double x0 = ordered.Length <= 1 ? (Left + Width - Right) / 2.0 : Left;
        for (int i = 0; i < ordered.Length; i++)
            Text(svg, x0 + i * step, Height - Bottom + 18, ordered[i].Concurrency.ToString(CultureInfo.InvariantCulture), "middle");
        for (int t = 0; t < transports.Count; t++)
        {
            var points = new StringBuilder();
            for (int i = 0; i < ordered.Length; i++)
            {
                var r = ordered[i].Transports.FirstOrDefault(x => x.Transport == transports[t].Transport);
                if (r is null) continue;
                double x = x0 + i * step, y = Height - Bottom - r.OutputTokensPerSecond / max * (Height - Top - Bottom);
                points.Append(CultureInfo.InvariantCulture, $"{x:F1},{y:F1} ");
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"3\" fill=\"{Colors[t % Colors.Length]}\"><title>{BenchTransportNames.Name(r.Transport)} at {r.Concurrency}: {r.OutputTokensPerSecond:F1} tok/s</title></circle>\n");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Colors[t % Colors.Length]}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>\n");
        }
        Legend(svg, transports);
        return End(svg);
    }

    private static double Max(IEnumerable<double> values)
    {
        double max = values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
        return max <= 0 ? 1 : max;
    }

    private static StringBuilder Begin(string title)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        Text(svg, Width / 2.0, 20, title, "middle");
        return svg;
    }

    private static void Axis(StringBuilder svg, double max)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 4; i++)
        {
            double y = Height - Bottom - i / 4.0 * (Height - Top - Bottom);
            Text(svg, Left - 6, y + 4, (max * i / 4).ToString("G3", CultureInfo.InvariantCulture), "end");
        }
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<TransportResult> results)
    {
        for (int t = 0; t < results.Count; t++)
        {
            double x = Left + t * 140;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{Height - 20}\" width=\"12\" height=\"12\" fill=\"{Colors[t % Colors.Length]}\"/>\n");
            Text(svg, x + 16, Height - 10, BenchTransportNames.Name(results[t].Transport), "start");
        }
    }

    private static void Text(StringBuilder svg, double x, double y, string text, string anchor) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{y:F1}\" text-anchor=\"{anchor}\">{System.Security.SecurityElement.Escape(text)}</text>\n");

    private static string End(StringBuilder svg) => svg.Append("</svg>\n").ToString();
}
