namespace Spark.Bench.Kernels;

/// <summary>What <see cref="KernelBenchmark.Run"/> measured, one row per weight type.</summary>
public sealed record KernelBenchResult
{
    /// <summary>The kernel path measured (e.g. <c>avx512</c>).</summary>
    public required string Kernels { get; init; }

    /// <summary>Elements per matrix row.</summary>
    public required int Columns { get; init; }

    /// <summary>Tokens of the batch test (0: not run).</summary>
    public required int BatchTokens { get; init; }

    /// <summary>Worker threads of the from-memory test.</summary>
    public required int Threads { get; init; }

    /// <summary>True when the single-thread tests were timed on the thread's CPU clock rather than the wall clock.</summary>
    public required bool CpuTime { get; init; }

    /// <summary>Timed repetitions; each figure is the best of them.</summary>
    public required int Reps { get; init; }

    /// <summary>One row per weight type, in the order asked for.</summary>
    public required IReadOnlyList<KernelBenchRow> Types { get; init; }
}

/// <summary>One weight type's single-thread matrix-vector (decode) and matrix-matrix (prefill) speed.</summary>
public sealed record KernelBenchRow
{
    /// <summary>ggml's name of the type, e.g. <c>Q4_0</c>.</summary>
    public required string Type { get; init; }

    /// <summary>
    /// The weight layout measured: <c>rows</c> (the file's) or <c>interleaved</c> (sixteen rows per group, what the
    /// engine uses for Q4_0/Q5_0/Q8_0 with the avx512 kernels).
    /// </summary>
    public required string Layout { get; init; }

    /// <summary>Bits of storage per weight, scales included.</summary>
    public required double BitsPerWeight { get; init; }

    /// <summary>Matrix·vector from a matrix in L2: weights per second, 10⁹ (the kernel's arithmetic speed).</summary>
    public required double CachedGWeightsPerS { get; init; }

    /// <summary>The same in weight bytes per second, GB/s.</summary>
    public required double CachedGbPerS { get; init; }

    /// <summary>Matrix·vector from a matrix in main memory on <see cref="KernelBenchResult.Threads"/> workers: weight bytes per second, GB/s (what decode sees).</summary>
    public required double MemoryGbPerS { get; init; }

    /// <summary>Matrix·matrix of <see cref="KernelBenchResult.BatchTokens"/> tokens from L2: weight·token products per second, 10⁹; null when not run.</summary>
    public double? BatchGWeightTokensPerS { get; init; }
}
