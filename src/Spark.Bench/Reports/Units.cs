using System.Globalization;

namespace Spark.Bench.Reports;

/// <summary>Sizes and counts as the reports print them.</summary>
internal static class Units
{
    public static string Mebibytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F2", CultureInfo.InvariantCulture) + " MiB";

    public static string Threads(int n) => n == 1 ? "1 thread" : n.ToString(CultureInfo.InvariantCulture) + " threads";

    public static string Count(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " B",
        >= 1_000_000 => (n / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
