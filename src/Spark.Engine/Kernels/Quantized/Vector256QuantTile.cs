using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// Prefill's 256-bit kernels for the 32-element block types (the AVX2 twin of <see cref="Vector512QuantTile"/>): one
/// weight row against four activation rows at once, each block's scales gathered and quants unpacked once for the
/// four. Each (row, token) pair adds in exactly the order of <see cref="Vector256QuantDot{TDot}.Row{TBlock}"/>, so
/// prefill matches token-by-token decoding bit for bit.
/// </summary>
internal static unsafe class Vector256QuantTile<TDot> where TDot : struct, IByteDot
{
    /// <summary>Tokens per tile.</summary>
    public const int Tokens = 4;

    /// <summary>
    /// y[t · <paramref name="yStride"/>] = row · token t for the four activation rows starting at <paramref name="x"/>
    /// (<paramref name="stride"/> quants apart).
    /// </summary>
    public static void Row<TBlock>(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride)
        where TBlock : struct, IBlock32
    {
        var offsets = Vector256QuantDot<TDot>.Offsets8(TBlock.Bytes);
        int scaleStride = stride / 32;
        float* xs = x.Scales;
        float* xm = TBlock.HasMin ? x.MinSums : x.ScaledSums;
        float* scales = stackalloc float[4 * 8];
        sbyte* a = x.Quants;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector256<float> extra0 = default, extra1 = default, extra2 = default, extra3 = default;
        for (int b = 0; b < blocks; b += 8, row += 8 * TBlock.Bytes)
        {
            int count = Math.Min(8, blocks - b);
            var d = Vector256QuantDot<TDot>.Halves(row, offsets, count);
            (d * Avx.LoadVector256(xs + b)).Store(scales);
            (d * Avx.LoadVector256(xs + scaleStride + b)).Store(scales + 8);
            (d * Avx.LoadVector256(xs + 2 * scaleStride + b)).Store(scales + 16);
            (d * Avx.LoadVector256(xs + 3 * scaleStride + b)).Store(scales + 24);
            if (TBlock.Offset != 0 || TBlock.HasMin)
            {
                // A type has an offset (scaled by d) or a min (its own F16), never both.
                var e = TBlock.HasMin ? Vector256QuantDot<TDot>.Halves(row + 2, offsets, count) : d;
                extra0 = Fma.MultiplyAdd(e, Avx.LoadVector256(xm + b), extra0);
                extra1 = Fma.MultiplyAdd(e, Avx.LoadVector256(xm + scaleStride + b), extra1);
                extra2 = Fma.MultiplyAdd(e, Avx.LoadVector256(xm + 2 * scaleStride + b), extra2);
                extra3 = Fma.MultiplyAdd(e, Avx.LoadVector256(xm + 3 * scaleStride + b), extra3);
            }
            for (int j = 0; j < count; j++, a += 32)
            {
                byte* block = row + j * TBlock.Bytes;
                if (typeof(TBlock) == typeof(Q8_0Dot))
                {
                    var w = Q8_0Dot.Signed(block);
                    var u = Avx2.Abs(w);
                    acc0 = GgmlOrder.Add(TDot.Dot(u, Avx2.Sign(Avx.LoadVector256(a), w)), scales[j], acc0);
                    acc1 = GgmlOrder.Add(TDot.Dot(u, Avx2.Sign(Avx.LoadVector256(a + stride), w)), scales[8 + j], acc1);
                    acc2 = GgmlOrder.Add(TDot.Dot(u, Avx2.Sign(Avx.LoadVector256(a + 2 * stride), w)), scales[16 + j], acc2);
                    acc3 = GgmlOrder.Add(TDot.Dot(u, Avx2.Sign(Avx.LoadVector256(a + 3 * stride), w)), scales[24 + j], acc3);
                }
                else
                {
                    var u = TBlock.Unsigned(block);
                    acc0 = GgmlOrder.Add(TDot.Dot(u, Avx.LoadVector256(a)), scales[j], acc0);
                    acc1 = GgmlOrder.Add(TDot.Dot(u, Avx.LoadVector256(a + stride)), scales[8 + j], acc1);
                    acc2 = GgmlOrder.Add(TDot.Dot(u, Avx.LoadVector256(a + 2 * stride)), scales[16 + j], acc2);
                    acc3 = GgmlOrder.Add(TDot.Dot(u, Avx.LoadVector256(a + 3 * stride)), scales[24 + j], acc3);
                }
            }
        }
        y[0] = Vector256QuantDot<TDot>.Finish<TBlock>(acc0, extra0);
        y[yStride] = Vector256QuantDot<TDot>.Finish<TBlock>(acc1, extra1);
        y[2 * yStride] = Vector256QuantDot<TDot>.Finish<TBlock>(acc2, extra2);
        y[3 * yStride] = Vector256QuantDot<TDot>.Finish<TBlock>(acc3, extra3);
    }
}
