using Spark.Bench.Reports;
using Spark.Bench.Statistics;

namespace Spark.Bench.Engine;

/// <summary>
/// What <see cref="EngineBenchmark.Run"/> measured: prompt processing and generation speed, the bytes a decode step
/// reads, this machine's bandwidth and how close generation came to the bandwidth roofline.
/// </summary>
public sealed record EngineBenchResult
{
    /// <summary>The model file and its shape.</summary>
    public required ModelFacts Model { get; init; }

    /// <summary>Worker threads of the forward pass.</summary>
    public required int Threads { get; init; }

    /// <summary>The kernel path the engine ran on (e.g. <c>avx2</c>).</summary>
    public required string Kernels { get; init; }

    /// <summary>Tokens of the prompt-processing test (0 = not run).</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Decode steps of the generation test (0 = not run).</summary>
    public required int GeneratedTokens { get; init; }

    /// <summary>Tokens in the KV cache when each test started (0: an empty cache).</summary>
    public int Depth { get; init; }

    /// <summary>Timed repetitions of each test.</summary>
    public required int Reps { get; init; }

    /// <summary>Prompt-processing tokens/s of each repetition, or null when the test did not run.</summary>
    public SampleSummary? Pp { get; init; }

    /// <summary>Generation tokens/s of each repetition, or null when the test did not run.</summary>
    public SampleSummary? Tg { get; init; }

    /// <summary>Median prompt-processing tokens/s.</summary>
    public double? PpTokensPerS => Pp?.Median;

    /// <summary>Median generation tokens/s.</summary>
    public double? TgTokensPerS => Tg?.Median;

    /// <summary>Bytes of weights one decode step reads.</summary>
    public long WeightsBytesPerToken => Model.WeightsBytesPerToken;

    /// <summary>Best triad bandwidth measured in-process with the same thread count, GB/s (10⁹ bytes/s).</summary>
    public required double MembwGbPerS { get; init; }

    /// <summary>Which loop <see cref="MembwGbPerS"/> comes from (triad, as in PERF-ANCHORS.md).</summary>
    public string MembwKernel => "triad";

    /// <summary>Best read-only bandwidth, GB/s, for comparison: decode mostly reads.</summary>
    public required double MembwReadGbPerS { get; init; }

    /// <summary>The generation speed memory allows: bandwidth ÷ weight bytes per token.</summary>
    public double RooflineTokensPerS => MembwGbPerS * 1e9 / WeightsBytesPerToken;

    /// <summary>Median generation tokens/s ÷ <see cref="RooflineTokensPerS"/>, or null when generation did not run.</summary>
    public double? RooflineRatio => TgTokensPerS / RooflineTokensPerS;

    /// <summary>The machine it ran on.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>When the measurement finished (UTC).</summary>
    public required DateTimeOffset Date { get; init; }
}
