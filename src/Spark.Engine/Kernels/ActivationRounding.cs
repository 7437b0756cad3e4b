using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels;

/// <summary>
/// Rounds a matvec's input vector the way ggml does before multiplying: each weight type has a "vec-dot type" that
/// activations are converted to (F16 for F16, Q8_0 for the 32-element quants, Q8_K for the k-quants). Matching it
/// keeps Spark's logits within rounding of llama.cpp's, so greedy decoding picks the same tokens. The conversion
/// itself is <see cref="Quantized.QuantizedActivations"/>.
/// </summary>
internal static class ActivationRounding
{
    /// <summary>The type ggml converts activations to for a dot product with <paramref name="weightType"/> rows.</summary>
    public static GgmlType For(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => GgmlType.F32,
        GgmlType.F16 => GgmlType.F16,
        GgmlType.BF16 => GgmlType.BF16,
        // Q8_1 (used by Q4_1/Q5_1) rounds values exactly as Q8_0 does; it only adds a block sum.
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 => GgmlType.Q8_0,
        GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => GgmlType.Q8_K,
        _ => GgmlType.F32,
    };
}
