using Spark.Engine.Kernels;

namespace Spark.Engine.Inference;

/// <summary>
/// How <see cref="SparkModel.Load"/> sets a model up.
/// </summary>
public sealed record ModelLoadOptions
{
    /// <summary>The context length used when <see cref="ContextLength"/> is not given and the model was trained longer.</summary>
    public const int DefaultMaxContextLength = 4096;

    /// <summary>Worker threads for the forward pass (the calling thread counts as one); null = processor count.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Positions each session's KV cache holds; null = the model's trained context length, capped at
    /// <see cref="DefaultMaxContextLength"/> (each position costs layers × KV width × 4 bytes with the default F16
    /// cache, × 8 with F32).
    /// </summary>
    public int? ContextLength { get; init; }

    /// <summary>
    /// The instruction set of the matrix-vector kernels: <see cref="KernelPath.Auto"/> (default) picks the fastest this
    /// CPU supports, unless the <c>SPARK_KERNELS</c> environment variable names a path; naming a path the CPU lacks makes <see cref="SparkModel.Load"/> throw
    /// <see cref="NotSupportedException"/>. <see cref="SparkModel.Kernels"/> reports the choice.
    /// </summary>
    public KernelPath Kernels { get; init; } = KernelPath.Auto;

    /// <summary>
    /// How the KV cache stores keys and values: <see cref="Inference.KvCacheType.F16"/> (default, as llama.cpp) or
    /// <see cref="Inference.KvCacheType.F32"/> (twice the memory, no F16 rounding in attention).
    /// </summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.F16;

    /// <summary>
    /// Keep every activation, KV entry and attention sum in exact F32 instead of rounding them as llama.cpp does
    /// (Q8 activations for quantized weights, F16 KV cache and attention; implies an F32 KV cache). Tests use it to check the math against a
    /// float64 reference.
    /// </summary>
    internal bool ExactArithmetic { get; init; }
}
