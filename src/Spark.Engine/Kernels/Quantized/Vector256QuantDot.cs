using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// 256-bit row · activation dot products for the 32-element block types: one block per vector, integer products via
/// <typeparamref name="TDot"/>, one F32 multiply-add per block with weight scale × activation scale. The F16 weight
/// scales of eight blocks are gathered and widened together (a scalar F16 conversion per block would cost as much as
/// the block's dot). Unsigned quants (Q4_x, Q5_x) are dotted as stored; their offset or min enters through the
/// activation block sums, as ggml's q8_1 does. <see cref="ScalarQuantDot"/> is the reference.
/// </summary>
internal static unsafe class Vector256QuantDot<TDot> where TDot : struct, IByteDot
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Nibbles(byte* p)
    {
        var raw = Sse2.LoadVector128(p);
        var high = Sse2.ShiftRightLogical(raw.AsUInt16(), 4).AsByte();
        return Vector256.Create(raw, high) & Vector256.Create((byte)0x0F);
    }

    /// <summary>ggml's bytes_from_bits_32: byte j is 0x10 when bit j of <paramref name="bits"/> is set, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> FifthBits(uint bits)
    {
        var spread = Avx2.Shuffle(Vector256.Create(bits).AsByte(),
            Vector256.Create(0L, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303).AsByte());
        var set = Vector256.Equals(spread | Vector256.Create(0x7fbfdfeff7fbfdfe).AsByte(), Vector256<byte>.AllBitsSet);
        return set & Vector256.Create((byte)0x10);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Scaled(Vector256<int> sum, float scale, Vector256<float> acc) =>
        Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Vector256.Create(scale), acc);

    /// <summary>The F16 at <paramref name="first"/> and at each of <paramref name="offsets"/> past it (eight blocks), widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Halves8(byte* first, Vector256<int> offsets) =>
        Vector256Dot.HalfToSingle((Avx2.GatherVector256((int*)first, offsets, 1) & Vector256.Create(0xFFFF)).AsUInt32());

    /// <summary>Byte offsets of eight consecutive blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Offsets8(int stride) => Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * stride;

    /// <summary>Σ over <paramref name="blocks"/> blocks of <typeparamref name="TBlock"/> · the Q8_0 activations.</summary>
    public static float Row<TBlock>(byte* row, in ActivationPointers x, int blocks) where TBlock : struct, IBlock32
    {
        float* scales = stackalloc float[8];
        var offsets = Offsets8(TBlock.Bytes);
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var extra = Vector256<float>.Zero; // Σ d·(activation d·Σa) for the offset, or Σ m·(activation d·Σa) for the min
        sbyte* a = x.Quants;
        int b = 0;
        for (; b + 8 <= blocks; b += 8)
        {
            var d = Halves8(row, offsets);
            (d * Avx.LoadVector256(x.Scales + b)).Store(scales);
            if (TBlock.Offset != 0) extra = Fma.MultiplyAdd(d, Avx.LoadVector256(x.ScaledSums + b), extra);
            if (TBlock.HasMin) extra = Fma.MultiplyAdd(Halves8(row + 2, offsets), Avx.LoadVector256(x.ScaledSums + b), extra);
            for (int j = 0; j < 8; j += 2, row += 2 * TBlock.Bytes, a += 64)
            {
                acc0 = Scaled(TBlock.Dot<TDot>(row, a), scales[j], acc0);
                acc1 = Scaled(TBlock.Dot<TDot>(row + TBlock.Bytes, a + 32), scales[j + 1], acc1);
            }
        }
        float tail = 0;
        for (; b < blocks; b++, row += TBlock.Bytes, a += 32)
        {
            float d = Fp16.At(row);
            acc0 = Scaled(TBlock.Dot<TDot>(row, a), d * x.Scales[b], acc0);
            if (TBlock.Offset != 0) tail += d * x.ScaledSums[b];
            if (TBlock.HasMin) tail += Fp16.At(row + 2) * x.ScaledSums[b];
        }
        float sum = Vector256.Sum(acc0 + acc1);
        float offsetOrMin = Vector256.Sum(extra) + tail;
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }
}
