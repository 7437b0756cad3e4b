using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// 512-bit row · activation dot products for the 32-element block types: two blocks per vector (an odd last block
/// alone in 256 bits), integer products with vpmaddubsw + vpmaddwd (.NET exposes no 512-bit VNNI for
/// AVX-512 CPUs without AVX10), one F32 multiply-add per block pair. <see cref="ScalarQuantDot"/> is the reference.
/// </summary>
internal static unsafe class Vector512QuantDot
{
    /// <summary>Per i32 lane, Σ of four u8 × s8 products (pairwise i16 sums must not saturate: ggml's constraint).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> Dot(Vector512<byte> u, Vector512<sbyte> s) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s), Vector512<short>.One);

    /// <summary>|w| and a with w's sign, so that |w|·(±a) = w·a goes through the unsigned × signed dot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> SignedDot(Vector512<sbyte> w, Vector512<sbyte> a)
    {
        var negative = Vector512.LessThan(w, Vector512<sbyte>.Zero);
        return Dot(Avx512BW.Abs(w), (a ^ negative) - negative);
    }

    /// <summary>Two blocks' 16 packed nibble bytes each as 64 values: low nibbles then high nibbles per block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Nibbles(byte* first, byte* second) => Vector512.Create(
        Vector256QuantDot<MaddDot>.Nibbles(first), Vector256QuantDot<MaddDot>.Nibbles(second));

    /// <summary>Byte j is 0x10 when bit j of the 64-bit <paramref name="bits"/> is set (two blocks' fifth bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> FifthBits(ulong bits)
    {
        if (Avx512Vbmi.IsSupported)
        {
            // vpmultishiftqb rotates each broadcast copy by control byte j = j − 4 (mod 64): bit j lands in bit 4 of byte
            // j. One op where the shuffle, or and compare below take three (Q5_0 rows +8–10%, spark bench kernels).
            return Avx512Vbmi.MultiShift(Vector512.Create(
                0x03020100_3F3E3D3CUL, 0x0B0A0908_07060504UL, 0x13121110_0F0E0D0CUL, 0x1B1A1918_17161514UL,
                0x23222120_1F1E1D1CUL, 0x2B2A2928_27262524UL, 0x33323130_2F2E2D2CUL, 0x3B3A3938_37363534UL).AsByte(),
                Vector512.Create(bits)) & Vector512.Create((byte)0x10);
        }
        var spread = Avx512BW.Shuffle(Vector512.Create(bits).AsByte(), Vector512.Create(
            0L, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303,
            0x0404040404040404, 0x0505050505050505, 0x0606060606060606, 0x0707070707070707).AsByte());
        var set = Vector512.Equals(spread | Vector512.Create(0x7fbfdfeff7fbfdfe).AsByte(), Vector512<byte>.AllBitsSet);
        return set & Vector512.Create((byte)0x10);
    }

    /// <summary>acc + sum × (scale0 in lanes 0-7, scale1 in lanes 8-15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Scaled(Vector512<int> sum, float scale0, float scale1, Vector512<float> acc) =>
        Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum),
            Vector512.Create(Vector256.Create(scale0), Vector256.Create(scale1)), acc);

    /// <summary>32 bytes at <paramref name="low"/> then 32 at <paramref name="high"/> (one insert, no dependency on old contents).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Join(byte* low, byte* high) =>
        Avx512F.InsertVector256(Vector256.Load(low).ToVector512Unsafe(), Vector256.Load(high), 1);

    /// <summary>
    /// Σ over <paramref name="blocks"/> blocks of <typeparamref name="TBlock"/> · the Q8_0 activations: integer dots of
    /// two blocks per 512-bit vector, then each block's eight lanes added in one F32 chain, block after block, which is
    /// ggml's order (see <see cref="GgmlOrder"/>).
    /// </summary>
    public static float Row<TBlock>(byte* row, in ActivationPointers x, int blocks) where TBlock : struct, IBlock32
    {
        var acc = Vector256<float>.Zero;
        var extra = Vector256<float>.Zero;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes, a += 256)
        {
            int count = Math.Min(8, blocks - b);
            var d = BlockScales<TBlock>.Get(row, 0, count, b >= 8);
            var scales = d * Vector256.Load(x.Scales + b);
            var xsum = Vector256.Load((TBlock.HasMin ? x.MinSums : x.ScaledSums) + b);
            if (TBlock.Offset != 0) extra = Fma.MultiplyAdd(d, xsum, extra);
            if (TBlock.HasMin) extra = Fma.MultiplyAdd(BlockScales<TBlock>.Get(row, 2, count, b >= 8), xsum, extra);
            int j = 0;
            for (; j + 2 <= count; j += 2)
            {
                var sums = Avx512F.ConvertToVector512Single(TBlock.Dot2(row + j * TBlock.Bytes, a + 32 * j));
                acc = Fma.MultiplyAdd(Avx2.PermuteVar8x32(scales, Vector256.Create(j)), sums.GetLower(), acc);
                acc = Fma.MultiplyAdd(Avx2.PermuteVar8x32(scales, Vector256.Create(j + 1)), sums.GetUpper(), acc);
            }
            if (j < count) // an odd last block alone: reading a second one would pass the row's end
                acc = GgmlOrder.Add(TBlock.Dot<MaddDot>(row + j * TBlock.Bytes, a + 32 * j), scales.GetElement(j), acc);
        }
        return Finish<TBlock>(acc, extra);
    }

    /// <summary>
    /// <see cref="Row{TBlock}"/> for two rows (<paramref name="distance"/> bytes apart) at once, into
    /// <paramref name="y0"/> and <paramref name="y1"/>. Each row keeps its own chain in exactly
    /// <see cref="Row{TBlock}"/>'s order, so the results are bit-identical; what two rows gain is a second independent
    /// F32 chain (one row's multiply-adds wait on each other's latency) and shared activation loads. Callers pair rows
    /// far apart: two adjacent short rows share a 4 KiB page, which the hardware prefetcher followed as one stream
    /// badly (Q8_0 rows of 896 from memory: 10 GB/s instead of 25).
    /// </summary>
    public static void Row2<TBlock>(byte* row, long distance, in ActivationPointers x, int blocks, float* y0, float* y1)
        where TBlock : struct, IBlock32
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var extra0 = Vector256<float>.Zero;
        var extra1 = Vector256<float>.Zero;
        byte* other = row + distance;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes, other += 8 * TBlock.Bytes, a += 256)
        {
            int count = Math.Min(8, blocks - b);
            var d0 = BlockScales<TBlock>.Get(row, 0, count, b >= 8);
            var d1 = BlockScales<TBlock>.Get(other, 0, count, b >= 8);
            var xs = Vector256.Load(x.Scales + b);
            var scales0 = d0 * xs;
            var scales1 = d1 * xs;
            if (TBlock.Offset != 0 || TBlock.HasMin)
            {
                var xsum = Vector256.Load((TBlock.HasMin ? x.MinSums : x.ScaledSums) + b);
                if (TBlock.Offset != 0)
                {
                    extra0 = Fma.MultiplyAdd(d0, xsum, extra0);
                    extra1 = Fma.MultiplyAdd(d1, xsum, extra1);
                }
                if (TBlock.HasMin)
                {
                    extra0 = Fma.MultiplyAdd(BlockScales<TBlock>.Get(row, 2, count, b >= 8), xsum, extra0);
                    extra1 = Fma.MultiplyAdd(BlockScales<TBlock>.Get(other, 2, count, b >= 8), xsum, extra1);
                }
            }
            int j = 0;
            for (; j + 2 <= count; j += 2)
            {
                var sums0 = Avx512F.ConvertToVector512Single(TBlock.Dot2(row + j * TBlock.Bytes, a + 32 * j));
                var sums1 = Avx512F.ConvertToVector512Single(TBlock.Dot2(other + j * TBlock.Bytes, a + 32 * j));
                var first = Vector256.Create(j);
                var second = Vector256.Create(j + 1);
                acc0 = Fma.MultiplyAdd(Avx2.PermuteVar8x32(scales0, first), sums0.GetLower(), acc0);
                acc1 = Fma.MultiplyAdd(Avx2.PermuteVar8x32(scales1, first), sums1.GetLower(), acc1);
                acc0 = Fma.MultiplyAdd(Avx2.PermuteVar8x32(scales0, second), sums0.GetUpper(), acc0);
                acc1 = Fma.MultiplyAdd(Avx2.PermuteVar8x32(scales1, second), sums1.GetUpper(), acc1);
            }
            if (j < count)
            {
                acc0 = GgmlOrder.Add(TBlock.Dot<MaddDot>(row + j * TBlock.Bytes, a + 32 * j), scales0.GetElement(j), acc0);
                acc1 = GgmlOrder.Add(TBlock.Dot<MaddDot>(other + j * TBlock.Bytes, a + 32 * j), scales1.GetElement(j), acc1);
            }
        }
        *y0 = Finish<TBlock>(acc0, extra0);
        *y1 = Finish<TBlock>(acc1, extra1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TBlock>(Vector256<float> acc, Vector256<float> extra) where TBlock : struct, IBlock32
    {
        float sum = GgmlOrder.Sum8(acc);
        float offsetOrMin = Vector256.Sum(extra);
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }

    /// <summary>
    /// Σ over <paramref name="blocks"/> blocks of a packed 4- or 5-bit type (Q4_0, Q4_1, Q5_0, Q5_1) · the Q8_0
    /// activations, four blocks per vector against <see cref="QuantizedActivations.NibbleQuants"/>: the four blocks'
    /// 64 bytes split into low and high nibbles need no per-block unpacking shuffle, and a 5-bit type's fifth bits
    /// for those 128 quants come from two 64-bit masks.
    /// </summary>
    public static float NibbleRow<TBlock>(byte* row, in ActivationPointers x, int blocks) where TBlock : struct, IBlock32
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var single = Vector256<float>.Zero;
        var extra = Vector256<float>.Zero;
        // Lanes 4k..4k+3 of a four-block dot belong to block k.
        var pick0 = Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        var pick1 = pick0 + Vector512.Create(4);
        sbyte* a = x.NibbleQuants;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes, a += 256)
        {
            int count = Math.Min(8, blocks - b);
            var d = BlockScales<TBlock>.Get(row, 0, count, b >= 8);
            var scales256 = d * Vector256.Load(x.Scales + b);
            var scales = scales256.ToVector512Unsafe();
            var xsum = Vector256.Load((TBlock.HasMin ? x.MinSums : x.ScaledSums) + b);
            if (TBlock.Offset != 0) extra = Fma.MultiplyAdd(d, xsum, extra);
            if (TBlock.HasMin) extra = Fma.MultiplyAdd(BlockScales<TBlock>.Get(row, 2, count, b >= 8), xsum, extra);
            int j = 0;
            if (count >= 4)
            {
                acc0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Quad<TBlock>(row, a)),
                    Avx512F.PermuteVar16x32(scales, pick0), acc0);
                j = 4;
            }
            if (count == 8)
            {
                acc1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Quad<TBlock>(row + 4 * TBlock.Bytes, a + 128)),
                    Avx512F.PermuteVar16x32(scales, pick1), acc1);
                continue;
            }
            for (; j < count; j++)
                single = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TBlock.Dot<MaddDot>(row + j * TBlock.Bytes, a + 32 * j)),
                    Avx2.PermuteVar8x32(scales256, Vector256.Create(j)), single);
        }
        float sum = Vector512.Sum(acc0 + acc1) + Vector256.Sum(single);
        float offsetOrMin = Vector256.Sum(extra);
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }

    /// <summary>
    /// Four consecutive blocks from <paramref name="block"/> · 128 reordered activation quants: lanes 4k..4k+3 hold
    /// block k's partial sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Quad<TBlock>(byte* block, sbyte* a) where TBlock : struct, IBlock32
    {
        var (low, high) = QuadQuants<TBlock>(block);
        return QuadDot(low, high, a);
    }

    /// <summary>
    /// Four consecutive blocks' quants in the order of <see cref="QuantizedActivations.NibbleQuants"/>: the low nibbles
    /// (quants 0-15 of each block) and the high nibbles (quants 16-31), with the fifth bit added for Q5_0/Q5_1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<byte> Low, Vector512<byte> High) QuadQuants<TBlock>(byte* block) where TBlock : struct, IBlock32
    {
        var (low, high) = QuadNibbles(block + TBlock.NibblesOffset, TBlock.Bytes);
        if (TBlock.FifthBitsOffset < 0) return (low, high);
        // Bits 0-15 of a block's 32 fifth bits go with its low nibbles, bits 16-31 with its high ones.
        byte* h = block + TBlock.FifthBitsOffset;
        int s = TBlock.Bytes;
        ulong lowBits = Bits16(h) | Bits16(h + s) << 16 | Bits16(h + 2 * s) << 32 | Bits16(h + 3 * s) << 48;
        ulong highBits = Bits16(h + 2) | Bits16(h + s + 2) << 16 | Bits16(h + 2 * s + 2) << 32 | Bits16(h + 3 * s + 2) << 48;
        return (low | FifthBits(lowBits), high | FifthBits(highBits));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bits16(byte* p) => Unsafe.ReadUnaligned<ushort>(p);

    /// <summary>Four packed 4-bit blocks' low and high nibbles, in the order of <see cref="QuantizedActivations.NibbleQuants"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<byte> Low, Vector512<byte> High) QuadNibbles(byte* qs, int stride)
    {
        var first = Avx2.InsertVector128(Sse2.LoadVector128(qs).ToVector256Unsafe(), Sse2.LoadVector128(qs + stride), 1);
        var second = Avx2.InsertVector128(Sse2.LoadVector128(qs + 2 * stride).ToVector256Unsafe(), Sse2.LoadVector128(qs + 3 * stride), 1);
        var raw = Avx512F.InsertVector256(first.ToVector512Unsafe(), second, 1);
        var mask = Vector512.Create((byte)0x0F);
        return (raw & mask, (raw.AsUInt16() >>> 4).AsByte() & mask);
    }

    /// <summary>
    /// <see cref="QuadQuants{TBlock}"/> · 128 reordered activation quants. Low- and high-half products are added in i16
    /// (at most 2·31·127 each for 5-bit quants, so their sum fits) before the one widening step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> QuadDot(Vector512<byte> low, Vector512<byte> high, sbyte* a) =>
        Avx512BW.MultiplyAddAdjacent(
            Avx512BW.MultiplyAddAdjacent(low, Vector512.Load(a)) + Avx512BW.MultiplyAddAdjacent(high, Vector512.Load(a + 64)),
            Vector512<short>.One);
}
