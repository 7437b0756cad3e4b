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

    /// <summary>
    /// The F16 at <paramref name="first"/> and at each of <paramref name="offsets"/> past it, for the first
    /// <paramref name="count"/> (1 to 8) blocks only (the rest read nothing and come out 0), widened.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Halves(byte* first, Vector256<int> offsets, int count)
    {
        if (count == 8) return Halves8(first, offsets);
        var mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count));
        var raw = Avx2.GatherMaskVector256(Vector256<int>.Zero, (int*)first, offsets, mask, 1);
        return Vector256Dot.HalfToSingle((raw & Vector256.Create(0xFFFF)).AsUInt32());
    }

    /// <summary>One row's combined block scales (weight d × activation d) for a group of blocks; adds its offset/min term.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Group<TBlock>(byte* row, Vector256<int> offsets, int count, Vector256<float> xs,
        Vector256<float> xsum, ref Vector256<float> extra) where TBlock : struct, IBlock32
    {
        var d = Halves(row, offsets, count);
        if (TBlock.Offset != 0) extra = Fma.MultiplyAdd(d, xsum, extra);
        if (TBlock.HasMin) extra = Fma.MultiplyAdd(Halves(row + 2, offsets, count), xsum, extra);
        return d * xs;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Finish<TBlock>(Vector256<float> acc, Vector256<float> extra) where TBlock : struct, IBlock32
    {
        float sum = GgmlOrder.Sum8(acc), offsetOrMin = Vector256.Sum(extra);
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }

    /// <summary>Σ over <paramref name="blocks"/> blocks of one row of <typeparamref name="TBlock"/> · the Q8_0 activations.</summary>
    public static float Row<TBlock>(byte* row, in ActivationPointers x, int blocks) where TBlock : struct, IBlock32
    {
        float* scales = stackalloc float[8];
        var offsets = Offsets8(TBlock.Bytes);
        var acc = Vector256<float>.Zero; // one chain, block after block: ggml's order (see GgmlOrder)
        var extra = Vector256<float>.Zero;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes)
        {
            int count = Math.Min(8, blocks - b);
            Group<TBlock>(row, offsets, count, Avx.LoadVector256(x.Scales + b), Avx.LoadVector256((TBlock.HasMin ? x.MinSums : x.ScaledSums) + b), ref extra)
                .Store(scales);
            for (int j = 0; j < count; j++, a += 32)
                acc = GgmlOrder.Add(TBlock.Dot<TDot>(row + j * TBlock.Bytes, a), scales[j], acc);
        }
        return Finish<TBlock>(acc, extra);
    }
}
