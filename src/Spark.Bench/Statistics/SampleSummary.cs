namespace Spark.Bench.Statistics;

/// <summary>
/// Repeated measurements of one quantity (tokens/s, GB/s) and their median, extremes and spread.
/// </summary>
public sealed class SampleSummary
{
    private SampleSummary(double[] sorted, double[] samples)
    {
        Samples = samples;
        int mid = sorted.Length / 2;
        Median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        Min = sorted[0];
        Max = sorted[^1];
        Mean = samples.Average();
        if (samples.Length > 1)
        {
            double squares = 0;
            foreach (double s in samples) squares += (s - Mean) * (s - Mean);
            StdDev = Math.Sqrt(squares / (samples.Length - 1));
        }
    }

    /// <summary>
    /// Summarises <paramref name="samples"/> (copied); throws <see cref="ArgumentException"/> when there are none or
    /// one is not a finite number.
    /// </summary>
    public static SampleSummary Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("a summary needs at least one sample", nameof(samples));
        var copy = samples.ToArray();
        foreach (double s in copy)
            if (!double.IsFinite(s)) throw new ArgumentException($"sample {s} is not a finite number", nameof(samples));
        var sorted = (double[])copy.Clone();
        Array.Sort(sorted);
        return new SampleSummary(sorted, copy);
    }

    /// <summary>The measurements in the order they were taken.</summary>
    public IReadOnlyList<double> Samples { get; }

    /// <summary>The middle measurement (the mean of the two middle ones for an even count): robust to one noisy run.</summary>
    public double Median { get; }

    /// <summary>The smallest measurement.</summary>
    public double Min { get; }

    /// <summary>The largest measurement (STREAM reports this "best of" for bandwidth).</summary>
    public double Max { get; }

    /// <summary>The arithmetic mean.</summary>
    public double Mean { get; }

    /// <summary>The sample standard deviation (n − 1 in the denominator, as llama-bench reports); 0 for one sample.</summary>
    public double StdDev { get; }
}
