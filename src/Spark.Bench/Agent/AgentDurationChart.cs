using System.Globalization;
using System.Text;

namespace Spark.Bench.Agent;

/// <summary>
/// The suite's picture as plain SVG: one horizontal bar per task, its agent time stacked as prefill, generation,
/// tools, network/overhead and process start-up, with the outcome at the bar's end.
/// </summary>
internal static class AgentDurationChart
{
    /// <summary>The segments, in drawing order, with their colours.</summary>
    public static readonly (string Name, string Color)[] Segments =
    [
        ("prefill", "#1f77b4"), ("generation", "#2ca02c"), ("tools", "#ff7f0e"), ("network/overhead", "#d62728"), ("start-up", "#7f7f7f"),
    ];

    private const int Width = 760, Left = 170, Right = 90, Top = 40, RowHeight = 22, LegendHeight = 50;

    /// <summary>Segment values of one task in milliseconds, in <see cref="Segments"/> order.</summary>
    public static double[] Split(AgentTaskResult r) => r.Transcript.Timing is { } t
        ? [t.PrefillMs, t.GenerationMs, t.ToolMs, t.NetworkMs, r.StartupMs]
        : [0, 0, 0, 0, r.AgentMs];

    public static string Render(IReadOnlyList<AgentTaskResult> results)
    {
        int height = Top + results.Count * RowHeight + LegendHeight;
        double max = Math.Max(1, results.Select(r => Split(r).Sum()).DefaultIfEmpty(0).Max());
        double scale = (Width - Left - Right) / max;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        Text(svg, Width / 2.0, 20, "Agent time per task (s): prefill, generation, tools, network/overhead, start-up", "middle");
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            double y = Top + i * RowHeight;
            Text(svg, Left - 6, y + 15, r.Task.Name, "end");
            double x = Left;
            var split = Split(r);
            for (int s = 0; s < split.Length; s++)
            {
                double w = split[s] * scale;
                if (w <= 0) continue;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:F1}\" y=\"{y + 3:F1}\" width=\"{w:F1}\" height=\"{RowHeight - 6}\" fill=\"{Segments[s].Color}\"><title>{Escape(r.Task.Name)} {Segments[s].Name}: {split[s] / 1000:F2} s</title></rect>\n");
                x += w;
            }
            Text(svg, x + 4, y + 15, $"{split.Sum() / 1000:F1} s {r.OutcomeName}", "start");
        }
        double axisY = Top + results.Count * RowHeight + 2;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{axisY:F1}\" x2=\"{Width - Right}\" y2=\"{axisY:F1}\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 4; i++)
            Text(svg, Left + i / 4.0 * (Width - Left - Right), axisY + 14, (max * i / 4 / 1000).ToString("G3", CultureInfo.InvariantCulture), "middle");
        for (int s = 0; s < Segments.Length; s++)
        {
            double lx = 20 + s * 145;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{height - 22}\" width=\"12\" height=\"12\" fill=\"{Segments[s].Color}\"/>\n");
            Text(svg, lx + 16, height - 12, Segments[s].Name, "start");
        }
        return svg.Append("</svg>\n").ToString();
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text);

    private static void Text(StringBuilder svg, double x, double y, string text, string anchor) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{y:F1}\" text-anchor=\"{anchor}\">{Escape(text)}</text>\n");
}
