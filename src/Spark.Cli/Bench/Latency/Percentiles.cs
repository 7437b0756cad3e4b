namespace Spark.Cli.Bench.Latency;

/// <summary>p50/p95/p99 of a set of samples in milliseconds, and how many samples there were.</summary>
internal sealed record Percentiles(double P50, double P95, double P99, int Count)
{
    /// <summary>No samples: every percentile is NaN (written as null in report.json, "-" in tables).</summary>
    public static readonly Percentiles Empty = new(double.NaN, double.NaN, double.NaN, 0);

    /// <summary>
    /// Percentiles by linear interpolation between the closest ranks (numpy's default): rank = p·(n−1) over the
    /// sorted samples, so p50 of an even count is the mean of the two middle values and p100 is the maximum.
    /// </summary>
    public static Percentiles Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0) return Empty;
        var sorted = samples.ToArray();
        foreach (double s in sorted)
            if (double.IsNaN(s)) throw new ArgumentException("a latency sample is NaN", nameof(samples));
        Array.Sort(sorted);
        return new Percentiles(At(sorted, 0.50), At(sorted, 0.95), At(sorted, 0.99), sorted.Length);
    }

    /// <summary>The <paramref name="p"/>-quantile (0..1) of already sorted samples.</summary>
    public static double At(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "a quantile is between 0 and 1");
        double rank = p * (sorted.Length - 1);
        int below = (int)Math.Floor(rank);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double fraction = rank - below;
        return sorted[below] + (sorted[above] - sorted[below]) * fraction;
    }
}
