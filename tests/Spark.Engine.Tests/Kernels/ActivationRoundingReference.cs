using System.Runtime.InteropServices;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Kernels;

/// <summary>
/// The activation rounding the kernels must reproduce, stated the plain way for tests: quantize with the block rule
/// llama.cpp uses at run time, then dequantize back to floats.
/// </summary>
internal static class ActivationRoundingReference
{
    /// <summary>Bytes of scratch <see cref="Round"/> needs for <paramref name="length"/> values (a multiple of 256 is always enough).</summary>
    public static int ScratchBytes(int length)
    {
        int padded = (length + GgmlTypeInfo.QK_K - 1) / GgmlTypeInfo.QK_K * GgmlTypeInfo.QK_K;
        return (int)Math.Max(GgmlTypeInfo.RowBytes(GgmlType.Q8_K, padded), GgmlTypeInfo.RowBytes(GgmlType.F32, padded));
    }

    /// <summary>
    /// Writes <paramref name="x"/> rounded through <paramref name="activationType"/> to <paramref name="destination"/>
    /// (a plain copy for F32). Allocation-free.
    /// </summary>
    public static void Round(GgmlType activationType, ReadOnlySpan<float> x, Span<byte> scratch, Span<float> destination)
    {
        if (activationType == GgmlType.F32)
        {
            x.CopyTo(destination);
            return;
        }
        if (activationType == GgmlType.Q8_0)
        {
            // llama.cpp's run-time rule, not the file quantizer's (see RuntimeQ8_0).
            if (x.Length % RuntimeQ8_0.BlockSize != 0)
                throw new ArgumentException($"Q8_0 activations need a multiple of {RuntimeQ8_0.BlockSize} values, got {x.Length}", nameof(x));
            var quants = MemoryMarshal.Cast<byte, sbyte>(scratch[..RuntimeQ8_0.BlockSize]);
            for (int b = 0; b + RuntimeQ8_0.BlockSize <= x.Length; b += RuntimeQ8_0.BlockSize)
            {
                var (d, _) = RuntimeQ8_0.Block(x.Slice(b, RuntimeQ8_0.BlockSize), quants);
                float scale = (float)(Half)d;
                for (int j = 0; j < RuntimeQ8_0.BlockSize; j++) destination[b + j] = quants[j] * scale;
            }
            return;
        }
        int bytes = checked((int)GgmlTypeInfo.RowBytes(activationType, x.Length));
        TensorQuantizer.Row(activationType, x, scratch[..bytes]);
        TensorDequantizer.Row(activationType, scratch[..bytes], destination[..x.Length]);
    }
}
