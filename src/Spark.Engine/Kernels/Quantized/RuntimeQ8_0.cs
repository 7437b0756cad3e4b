using System.Runtime.Intrinsics;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// How llama.cpp quantizes activations to Q8_0/Q8_1 at run time on x86 (ggml-cpu's AVX quantize_row_q8_0/_q8_1), which
/// is not the reference rule files are written with (<see cref="Tensors.TensorQuantizer"/>): the multiplier is
/// 127/amax instead of 1/(amax/127), ties round to even instead of away from zero, and q8_1's block sum is
/// d·Σq rounded to F16. The two disagree on a quant now and then, so matching this one is what keeps logits of
/// Q4_0/Q5_0/Q8_0 models within rounding of llama.cpp's.
/// </summary>
internal static class RuntimeQ8_0
{
    /// <summary>Values per block.</summary>
    public const int BlockSize = 32;

    /// <summary>
    /// Quantizes one block of 32 values into <paramref name="quants"/>; returns the block's F32 scale d = amax/127
    /// (stored as F16 by the caller) and Σ quants.
    /// </summary>
    public static (float D, int Sum) Block(ReadOnlySpan<float> x, Span<sbyte> quants)
    {
        if (x.Length < BlockSize || quants.Length < BlockSize)
            throw new ArgumentException($"a Q8_0 block needs {BlockSize} values and {BlockSize} quants");
        if (Vector256.IsHardwareAccelerated) return VectorBlock(x, quants);
        float amax = 0;
        for (int j = 0; j < BlockSize; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        float id = amax != 0 ? 127f / amax : 0f;
        int sum = 0;
        for (int j = 0; j < BlockSize; j++)
        {
            int q = (int)MathF.Round(x[j] * id, MidpointRounding.ToEven);
            quants[j] = (sbyte)q;
            sum += q;
        }
        return (amax / 127f, sum);
    }

    /// <summary>ggml's q8_1 <c>s</c>: d·Σq with the F32 d, rounded to F16 as the block stores it.</summary>
    public static float MinSum(float d, int sum) => (float)(Half)(d * sum);

    private static (float D, int Sum) VectorBlock(ReadOnlySpan<float> x, Span<sbyte> quants)
    {
        var v0 = Vector256.Create(x);
        var v1 = Vector256.Create(x[8..]);
        var v2 = Vector256.Create(x[16..]);
        var v3 = Vector256.Create(x[24..]);
        var m = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        float amax = 0;
        for (int j = 0; j < 8; j++) amax = MathF.Max(amax, m[j]);
        var id = Vector256.Create(amax != 0 ? 127f / amax : 0f);
        // Vector256.Round rounds halves to even, as _mm256_round_ps(_MM_ROUND_NEAREST) does.
        var q0 = Vector256.ConvertToInt32(Vector256.Round(v0 * id));
        var q1 = Vector256.ConvertToInt32(Vector256.Round(v1 * id));
        var q2 = Vector256.ConvertToInt32(Vector256.Round(v2 * id));
        var q3 = Vector256.ConvertToInt32(Vector256.Round(v3 * id));
        Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3)).CopyTo(quants);
        return (amax / 127f, Vector256.Sum(q0 + q1 + q2 + q3));
    }
}
