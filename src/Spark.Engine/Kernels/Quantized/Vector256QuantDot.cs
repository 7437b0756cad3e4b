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

    /// <summary>
    /// Σ over <paramref name="blocks"/> blocks of <typeparamref name="TBlock"/> · the Q8_0 activations, for
    /// <paramref name="rows"/> (1 to 4) rows <paramref name="rowBytes"/> apart, into y[0..rows). Several rows at once
    /// share the activation loads and overlap their dependency chains.
    /// </summary>
    public static void Rows<TBlock>(byte* w, int rowBytes, int rows, in ActivationPointers x, int blocks, float* y)
        where TBlock : struct, IBlock32
    {
        float* scales = stackalloc float[32];
        var offsets = Offsets8(TBlock.Bytes);
        var acc0 = Vector256<float>.Zero; var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero; var acc3 = Vector256<float>.Zero;
        // Σ d·(activation d·Σa) for the offset, or Σ m·(activation d·Σa) for the min, per row.
        var extra0 = Vector256<float>.Zero; var extra1 = Vector256<float>.Zero;
        var extra2 = Vector256<float>.Zero; var extra3 = Vector256<float>.Zero;
        // Rows past the count alias row 0: computed, never stored (keeps the loop free of per-row branches).
        byte* r0 = w;
        byte* r1 = rows > 1 ? w + rowBytes : w;
        byte* r2 = rows > 2 ? w + 2 * rowBytes : w;
        byte* r3 = rows > 3 ? w + 3 * rowBytes : w;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b += 8)
        {
            int count = Math.Min(8, blocks - b);
            var xs = Avx.LoadVector256(x.Scales + b);
            var xsum = Avx.LoadVector256(x.ScaledSums + b);
            extra0 = Group<TBlock>(r0, offsets, count, xs, xsum, scales, extra0);
            extra1 = Group<TBlock>(r1, offsets, count, xs, xsum, scales + 8, extra1);
            extra2 = Group<TBlock>(r2, offsets, count, xs, xsum, scales + 16, extra2);
            extra3 = Group<TBlock>(r3, offsets, count, xs, xsum, scales + 24, extra3);
            for (int j = 0; j < count; j++, a += 32)
            {
                int at = j * TBlock.Bytes;
                acc0 = Scaled(TBlock.Dot<TDot>(r0 + at, a), scales[j], acc0);
                acc1 = Scaled(TBlock.Dot<TDot>(r1 + at, a), scales[8 + j], acc1);
                acc2 = Scaled(TBlock.Dot<TDot>(r2 + at, a), scales[16 + j], acc2);
                acc3 = Scaled(TBlock.Dot<TDot>(r3 + at, a), scales[24 + j], acc3);
            }
            int step = 8 * TBlock.Bytes;
            r0 += step; r1 += step; r2 += step; r3 += step;
        }
        y[0] = Finish<TBlock>(acc0, extra0);
        if (rows > 1) y[1] = Finish<TBlock>(acc1, extra1);
        if (rows > 2) y[2] = Finish<TBlock>(acc2, extra2);
        if (rows > 3) y[3] = Finish<TBlock>(acc3, extra3);
    }

    /// <summary>Widens one row's scales for a group of blocks into <paramref name="scales"/> and adds its offset/min term.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Group<TBlock>(byte* row, Vector256<int> offsets, int count, Vector256<float> xs,
        Vector256<float> xsum, float* scales, Vector256<float> extra) where TBlock : struct, IBlock32
    {
        var d = Halves(row, offsets, count);
        (d * xs).Store(scales);
        if (TBlock.Offset != 0) extra = Fma.MultiplyAdd(d, xsum, extra);
        if (TBlock.HasMin) extra = Fma.MultiplyAdd(Halves(row + 2, offsets, count), xsum, extra);
        return extra;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TBlock>(Vector256<float> acc, Vector256<float> extra) where TBlock : struct, IBlock32
    {
        float sum = Vector256.Sum(acc), offsetOrMin = Vector256.Sum(extra);
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }

    /// <summary>One row: <see cref="Rows{TBlock}"/> with a single row.</summary>
    public static float Row<TBlock>(byte* row, in ActivationPointers x, int blocks) where TBlock : struct, IBlock32
    {
        float y;
        Rows<TBlock>(row, 0, 1, x, blocks, &y);
        return y;
    }
}
