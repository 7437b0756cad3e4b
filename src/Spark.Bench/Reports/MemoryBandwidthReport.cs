using System.Globalization;
using Spark.Bench.Memory;
using Spark.Bench.Statistics;

namespace Spark.Bench.Reports;

/// <summary>The human-readable report of <c>spark bench membw</c>: one row per loop, best and median GB/s.</summary>
public static class MemoryBandwidthReport
{
    /// <summary>A table of copy, triad and read GB/s.</summary>
    public static string Format(MemoryBandwidthResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var table = new TextTable("test", ">threads", ">array", ">best GB/s", ">median GB/s", ">min GB/s");
        void Row(string name, SampleSummary s) => table.Add(name, r.Threads.ToString(CultureInfo.InvariantCulture),
            Units.Mebibytes(r.ArrayBytes), F(s.Max), F(s.Median), F(s.Min));
        Row("copy", r.Copy);
        Row("triad", r.Triad);
        Row("read", r.Read);
        return table + $"best of {r.Reps} repetitions; bytes counted as STREAM does (copy 2, triad 3, read 1 per element; GB = 10⁹ bytes)\n";
    }

    private static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);
}
