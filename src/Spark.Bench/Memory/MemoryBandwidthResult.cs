using Spark.Bench.Statistics;

namespace Spark.Bench.Memory;

/// <summary>What <see cref="MemoryBandwidth.Measure"/> found: GB/s (10⁹ bytes per second) of each loop over its repetitions.</summary>
public sealed record MemoryBandwidthResult
{
    /// <summary>Worker threads that ran the loops (the calling thread counts as one).</summary>
    public required int Threads { get; init; }

    /// <summary>Bytes of each of the three arrays.</summary>
    public required long ArrayBytes { get; init; }

    /// <summary>Timed repetitions of each loop.</summary>
    public required int Reps { get; init; }

    /// <summary>Copy GB/s over the repetitions.</summary>
    public required SampleSummary Copy { get; init; }

    /// <summary>Triad GB/s over the repetitions.</summary>
    public required SampleSummary Triad { get; init; }

    /// <summary>Read-only sum GB/s over the repetitions.</summary>
    public required SampleSummary Read { get; init; }

    /// <summary>Best copy GB/s (STREAM reports the best repetition).</summary>
    public double CopyGbPerS => Copy.Max;

    /// <summary>Best triad GB/s.</summary>
    public double TriadGbPerS => Triad.Max;

    /// <summary>Best read-only GB/s.</summary>
    public double ReadGbPerS => Read.Max;
}
