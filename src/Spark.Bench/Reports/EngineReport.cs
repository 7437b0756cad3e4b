using System.Globalization;
using System.Text;
using Spark.Bench.Engine;
using Spark.Bench.Statistics;

namespace Spark.Bench.Reports;

/// <summary>The human-readable report of <c>spark bench engine</c>: llama-bench's table plus the roofline.</summary>
public static class EngineReport
{
    /// <summary>A table row per test (t/s as median ± standard deviation, and the range), then the roofline lines.</summary>
    public static string Format(EngineBenchResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var table = new TextTable("model", ">size", ">params", "type", ">threads", "kernels", "test", ">t/s", ">min–max");
        void Row(string test, SampleSummary s) => table.Add(r.Model.Name, Units.Mebibytes(r.Model.SizeBytes),
            Units.Count(r.Model.Parameters), r.Model.Type, r.Threads.ToString(CultureInfo.InvariantCulture), r.Kernels, test,
            Invariant($"{s.Median:F2} ± {s.StdDev:F2}"), Invariant($"{s.Min:F2}–{s.Max:F2}"));
        string depth = r.Depth > 0 ? Invariant($" @ d{r.Depth}") : "";
        if (r.Pp is { } pp) Row($"pp{r.PromptTokens}{depth}", pp);
        if (r.Tg is { } tg) Row($"tg{r.GeneratedTokens}{depth}", tg);

        var sb = new StringBuilder(table.ToString());
        sb.Append('\n');
        sb.Append(Invariant($"weights read per decoded token: {Units.Mebibytes(r.WeightsBytesPerToken)}; memory bandwidth ({Units.Threads(r.Threads)}, best of {r.Reps}): triad {r.MembwGbPerS:F1} GB/s, read {r.MembwReadGbPerS:F1} GB/s\n"));
        sb.Append(Invariant($"tg roofline (triad ÷ weights per token): {r.RooflineTokensPerS:F1} tok/s"));
        if (r.RooflineRatio is double ratio) sb.Append(Invariant($"; tg{r.GeneratedTokens} reaches {ratio:F2} of it"));
        sb.Append('\n');
        sb.Append(Invariant($"{r.Model.Path} | {r.Machine.Cpu}, {r.Machine.LogicalCores} logical cores | {r.Date:yyyy-MM-dd HH:mm} UTC\n"));
        return sb.ToString();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
