using System.Globalization;
using Spark.Bench.Kernels;

namespace Spark.Bench.Reports;

/// <summary>The human-readable report of <c>spark bench kernels</c>: one row per weight type.</summary>
public static class KernelReport
{
    /// <summary>A table of cached and memory-bound matrix·vector speed and batch speed per type.</summary>
    public static string Format(KernelBenchResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var table = new TextTable("type", "layout", ">bits/weight", ">L2: Gweights/s", ">L2: GB/s", r.Threads == 1 ? ">memory: GB/s" : $">memory, {r.Threads} threads: GB/s", r.BatchTokens > 0 ? $">batch {r.BatchTokens}: Gweight·tok/s" : ">batch");
        foreach (var t in r.Types)
            table.Add(t.Type, t.Layout, F(t.BitsPerWeight, "F2"), F(t.CachedGWeightsPerS, "F2"), F(t.CachedGbPerS, "F1"), F(t.MemoryGbPerS, "F1"),
                t.BatchGWeightTokensPerS is { } b ? F(b, "F1") : "-");
        return table + $"{r.Kernels} kernels, rows of {r.Columns} columns, best of {r.Reps} repetitions{(r.CpuTime ? ", L2 and batch timed on the thread's CPU clock" : "")}; "
            + "L2 and batch: one thread on a matrix that stays in cache (the kernel's arithmetic); memory: a matrix far larger than the caches, split by rows across the threads (what decode sees)\n";
    }

    private static string F(double x, string format) => x.ToString(format, CultureInfo.InvariantCulture);
}
