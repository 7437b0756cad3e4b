using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// Prefill's 512-bit kernels for the 32-element block types: one weight row against four activation rows (tokens) at
/// once. A row's block scales (<see cref="BlockScales{TBlock}"/>), its quants (unpacked nibbles, |q| and signs) are prepared once and used
/// four times, which is where a batch beats four matvecs. Each (row, token) pair keeps its own accumulators and adds
/// in exactly the order of <see cref="Vector512QuantDot.Row{TBlock}"/> or <see cref="Vector512QuantDot.NibbleRow{TBlock}"/>,
/// so a batch gives bit-for-bit the logits of token-by-token decoding. Each tile kernel is compiled on its own
/// (NoInlining): inlined into the kernels' one switch over types, the JIT ran out of inlining budget and left helpers
/// such as <c>Finish</c> as calls, which cost a Q4_K_M prefill 12%.
/// </summary>
internal static unsafe class Vector512QuantTile
{
    /// <summary>Tokens per tile.</summary>
    public const int Tokens = 4;

    /// <summary>One (row, token) pair's running sums in <see cref="Vector512QuantDot.Row{TBlock}"/>'s order.</summary>
    private struct RowSums
    {
        public Vector256<float> Acc;
        public Vector256<float> Extra;
    }

    /// <summary>One (row, token) pair's running sums in <see cref="Vector512QuantDot.NibbleRow{TBlock}"/>'s order.</summary>
    private struct NibbleSums
    {
        public Vector512<float> Acc0;
        public Vector512<float> Acc1;
        public Vector256<float> Single;
        public Vector256<float> Extra;
    }

    /// <summary>
    /// y[t · <paramref name="yStride"/>] = row · token t for the four activation rows starting at <paramref name="x"/>
    /// (<paramref name="stride"/> quants apart), with <see cref="Vector512QuantDot.Row{TBlock}"/>'s arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget (see the class remarks)
    public static void Row<TBlock>(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride)
        where TBlock : struct, IBlock32
    {
        int scaleStride = stride / 32;
        float* xs = x.Scales;
        float* xm = TBlock.HasMin ? x.MinSums : x.ScaledSums;
        sbyte* a = x.Quants;
        // The pairs' combined block scales go through memory: a broadcast load per block uses a load port, where a lane
        // permute would compete with the integer dots for the vector ALU.
        float* scales = stackalloc float[4 * 8];
        RowSums p0 = default, p1 = default, p2 = default, p3 = default;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes, a += 256)
        {
            int count = Math.Min(8, blocks - b);
            var d = BlockScales<TBlock>.Get(row, 0, count, b >= 8);
            var s0 = d * Vector256.Load(xs + b);
            var s1 = d * Vector256.Load(xs + scaleStride + b);
            var s2 = d * Vector256.Load(xs + 2 * scaleStride + b);
            var s3 = d * Vector256.Load(xs + 3 * scaleStride + b);
            s0.Store(scales);
            s1.Store(scales + 8);
            s2.Store(scales + 16);
            s3.Store(scales + 24);
            if (TBlock.Offset != 0 || TBlock.HasMin)
            {
                // A type has an offset (scaled by d) or a min (its own F16), never both.
                var e = TBlock.HasMin ? BlockScales<TBlock>.Get(row, 2, count, b >= 8) : d;
                p0.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + b), p0.Extra);
                p1.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + scaleStride + b), p1.Extra);
                p2.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + 2 * scaleStride + b), p2.Extra);
                p3.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + 3 * scaleStride + b), p3.Extra);
            }
            int j = 0;
            for (; j + 2 <= count; j += 2)
            {
                byte* block = row + j * TBlock.Bytes;
                sbyte* aj = a + 32 * j;
                float* sj = scales + j;
                if (typeof(TBlock) == typeof(Q8_0Dot))
                {
                    var w = Q8_0Dot.Signed2(block);
                    var u = Avx512BW.Abs(w);
                    var negative = Vector512.LessThan(w, Vector512<sbyte>.Zero);
                    Signed(u, negative, aj, sj, ref p0.Acc);
                    Signed(u, negative, aj + stride, sj + 8, ref p1.Acc);
                    Signed(u, negative, aj + 2 * stride, sj + 16, ref p2.Acc);
                    Signed(u, negative, aj + 3 * stride, sj + 24, ref p3.Acc);
                }
                else
                {
                    var u = TBlock.Unsigned2(block);
                    Unsigned(u, aj, sj, ref p0.Acc);
                    Unsigned(u, aj + stride, sj + 8, ref p1.Acc);
                    Unsigned(u, aj + 2 * stride, sj + 16, ref p2.Acc);
                    Unsigned(u, aj + 3 * stride, sj + 24, ref p3.Acc);
                }
            }
            if (j < count) // an odd last block alone, as the row kernel does it
            {
                byte* block = row + j * TBlock.Bytes;
                sbyte* aj = a + 32 * j;
                p0.Acc = GgmlOrder.Add(TBlock.Dot<MaddDot>(block, aj), s0.GetElement(j), p0.Acc);
                p1.Acc = GgmlOrder.Add(TBlock.Dot<MaddDot>(block, aj + stride), s1.GetElement(j), p1.Acc);
                p2.Acc = GgmlOrder.Add(TBlock.Dot<MaddDot>(block, aj + 2 * stride), s2.GetElement(j), p2.Acc);
                p3.Acc = GgmlOrder.Add(TBlock.Dot<MaddDot>(block, aj + 3 * stride), s3.GetElement(j), p3.Acc);
            }
        }
        y[0] = Finish<TBlock>(p0);
        y[yStride] = Finish<TBlock>(p1);
        y[2 * yStride] = Finish<TBlock>(p2);
        y[3 * yStride] = Finish<TBlock>(p3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Signed(Vector512<byte> u, Vector512<sbyte> negative, sbyte* a, float* scales, ref Vector256<float> acc)
    {
        var x = Vector512.Load(a);
        Accumulate(Vector512QuantDot.Dot(u, (x ^ negative) - negative), scales, ref acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unsigned(Vector512<byte> u, sbyte* a, float* scales, ref Vector256<float> acc) =>
        Accumulate(Vector512QuantDot.Dot(u, Vector512.Load(a)), scales, ref acc);

    /// <summary>acc += scales[0] · the first block's lanes, then scales[1] · the second's (the row kernel's order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector512<int> dot, float* scales, ref Vector256<float> acc)
    {
        var sums = Avx512F.ConvertToVector512Single(dot);
        acc = Fma.MultiplyAdd(Vector256.Create(scales[0]), sums.GetLower(), acc);
        acc = Fma.MultiplyAdd(Vector256.Create(scales[1]), sums.GetUpper(), acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TBlock>(in RowSums p) where TBlock : struct, IBlock32
    {
        float sum = GgmlOrder.Sum8(p.Acc);
        float offsetOrMin = Vector256.Sum(p.Extra);
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }

    /// <summary>
    /// The same for the packed 4- and 5-bit types (Q4_0, Q4_1, Q5_0, Q5_1) against <see cref="QuantizedActivations.NibbleQuants"/>, with
    /// <see cref="Vector512QuantDot.NibbleRow{TBlock}"/>'s arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget (see the class remarks)
    public static void NibbleRow<TBlock>(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride)
        where TBlock : struct, IBlock32
    {
        int scaleStride = stride / 32;
        float* xs = x.Scales;
        float* xm = TBlock.HasMin ? x.MinSums : x.ScaledSums;
        var pick0 = Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        var pick1 = pick0 + Vector512.Create(4);
        sbyte* a = x.NibbleQuants;
        NibbleSums p0 = default, p1 = default, p2 = default, p3 = default;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes, a += 256)
        {
            int count = Math.Min(8, blocks - b);
            var d = BlockScales<TBlock>.Get(row, 0, count, b >= 8);
            var s0 = d * Vector256.Load(xs + b);
            var s1 = d * Vector256.Load(xs + scaleStride + b);
            var s2 = d * Vector256.Load(xs + 2 * scaleStride + b);
            var s3 = d * Vector256.Load(xs + 3 * scaleStride + b);
            var e = TBlock.HasMin ? BlockScales<TBlock>.Get(row, 2, count, b >= 8) : d;
            p0.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + b), p0.Extra);
            p1.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + scaleStride + b), p1.Extra);
            p2.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + 2 * scaleStride + b), p2.Extra);
            p3.Extra = Fma.MultiplyAdd(e, Vector256.Load(xm + 3 * scaleStride + b), p3.Extra);
            int j = 0;
            if (count >= 4)
            {
                var (low, high) = Vector512QuantDot.QuadQuants<TBlock>(row);
                Quad(low, high, a, s0, pick0, ref p0.Acc0);
                Quad(low, high, a + stride, s1, pick0, ref p1.Acc0);
                Quad(low, high, a + 2 * stride, s2, pick0, ref p2.Acc0);
                Quad(low, high, a + 3 * stride, s3, pick0, ref p3.Acc0);
                j = 4;
            }
            if (count == 8)
            {
                var (low, high) = Vector512QuantDot.QuadQuants<TBlock>(row + 4 * TBlock.Bytes);
                Quad(low, high, a + 128, s0, pick1, ref p0.Acc1);
                Quad(low, high, a + stride + 128, s1, pick1, ref p1.Acc1);
                Quad(low, high, a + 2 * stride + 128, s2, pick1, ref p2.Acc1);
                Quad(low, high, a + 3 * stride + 128, s3, pick1, ref p3.Acc1);
                continue;
            }
            for (; j < count; j++)
            {
                byte* block = row + j * TBlock.Bytes;
                sbyte* aj = a + 32 * j;
                var pick = Vector256.Create(j);
                p0.Single = Single<TBlock>(block, aj, s0, pick, p0.Single);
                p1.Single = Single<TBlock>(block, aj + stride, s1, pick, p1.Single);
                p2.Single = Single<TBlock>(block, aj + 2 * stride, s2, pick, p2.Single);
                p3.Single = Single<TBlock>(block, aj + 3 * stride, s3, pick, p3.Single);
            }
        }
        y[0] = Finish<TBlock>(p0);
        y[yStride] = Finish<TBlock>(p1);
        y[2 * yStride] = Finish<TBlock>(p2);
        y[3 * yStride] = Finish<TBlock>(p3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quad(Vector512<byte> low, Vector512<byte> high, sbyte* a, Vector256<float> scales, Vector512<int> pick,
        ref Vector512<float> acc) =>
        acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Vector512QuantDot.QuadDot(low, high, a)),
            Avx512F.PermuteVar16x32(scales.ToVector512Unsafe(), pick), acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Single<TBlock>(byte* block, sbyte* a, Vector256<float> scales, Vector256<int> pick,
        Vector256<float> acc) where TBlock : struct, IBlock32 =>
        Fma.MultiplyAdd(Avx.ConvertToVector256Single(TBlock.Dot<MaddDot>(block, a)), Avx2.PermuteVar8x32(scales, pick), acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TBlock>(in NibbleSums p) where TBlock : struct, IBlock32
    {
        float sum = Vector512.Sum(p.Acc0 + p.Acc1) + Vector256.Sum(p.Single);
        float offsetOrMin = Vector256.Sum(p.Extra);
        return TBlock.HasMin ? sum + offsetOrMin : sum - TBlock.Offset * offsetOrMin;
    }
}
