using Spark.Engine.Kernels;

namespace Spark.Bench.Engine;

/// <summary>What <see cref="EngineBenchmark.Run"/> measures: the defaults are llama-bench's pp512 and tg128, with 3 repetitions (llama-bench: 5) to keep runs short.</summary>
public sealed record EngineBenchOptions
{
    /// <summary>The GGUF model to load.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Worker threads (the calling thread counts as one); null = processor count.</summary>
    public int? Threads { get; init; }

    /// <summary>The matrix-vector kernels to force (<see cref="KernelPath.Auto"/>: the fastest this CPU runs).</summary>
    public KernelPath Kernels { get; init; } = KernelPath.Auto;

    /// <summary>Tokens of the prompt-processing test (one prefill from an empty cache); 0 skips it.</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Decode steps of the generation test (from an empty cache); 0 skips it.</summary>
    public int GeneratedTokens { get; init; } = 128;

    /// <summary>
    /// Tokens already in the KV cache when each test starts (llama-bench's <c>-d</c>): shows how attention over a long
    /// context slows prompt processing and generation. The depth is prefilled once, untimed.
    /// </summary>
    public int Depth { get; init; }

    /// <summary>Timed repetitions of each test, after one untimed warm-up.</summary>
    public int Reps { get; init; } = 3;

    /// <summary>Bytes of each array of the in-process bandwidth measurement that sets the roofline.</summary>
    public long BandwidthArrayBytes { get; init; } = 256L << 20;

    /// <summary>Timed repetitions of the bandwidth measurement (the best one counts).</summary>
    public int BandwidthReps { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Threads is < 1) throw new ArgumentException($"--threads must be at least 1, got {Threads}");
        if (PromptTokens < 0) throw new ArgumentException($"-p must be 0 or more, got {PromptTokens}");
        if (GeneratedTokens < 0) throw new ArgumentException($"-n must be 0 or more, got {GeneratedTokens}");
        if (Depth < 0) throw new ArgumentException($"-d must be 0 or more, got {Depth}");
        if ((long)Depth + Math.Max(PromptTokens, GeneratedTokens) > 1 << 20)
            throw new ArgumentException($"-d {Depth} plus the test's tokens exceeds the 1M-token context this benchmark allows");
        if (PromptTokens == 0 && GeneratedTokens == 0) throw new ArgumentException("-p and -n are both 0: there is nothing to measure");
        if (Reps < 1) throw new ArgumentException($"--reps must be at least 1, got {Reps}");
        if (BandwidthArrayBytes < 1 << 20) throw new ArgumentException($"--membw-size-mb must be at least 1, got {BandwidthArrayBytes >> 20}");
        if (BandwidthReps < 1) throw new ArgumentException($"the bandwidth repetitions must be at least 1, got {BandwidthReps}");
    }
}
