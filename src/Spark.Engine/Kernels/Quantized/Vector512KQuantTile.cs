using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;
using static Spark.Engine.Kernels.Quantized.Vector512KQuantDot;
using static Spark.Engine.Kernels.Quantized.Vector512QuantDot;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// Prefill's 512-bit k-quant kernels: one weight row against four Q8_K activation rows at once. A super-block's
/// scale unpacking (scalar bit-fiddling that costs as much as its dot) and its quant unpacking are done once for four
/// tokens. Each (row, token) pair keeps its own sums in <see cref="Vector512KQuantDot"/>'s order, so the results are
/// bit-for-bit those of token-by-token decoding.
/// </summary>
internal static unsafe class Vector512KQuantTile
{
    /// <summary>One (row, token) pair's running sums.</summary>
    private struct Sums
    {
        public Vector256<float> Acc;
        public Vector128<float> Mins;
    }

    /// <summary>y[t · <paramref name="yStride"/>] = Q4_K row · token t for four tokens <paramref name="stride"/> quants apart.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget: see Vector512QuantTile
    public static void Q4K(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride) =>
        Q45K(row, x, stride, blocks, y, yStride, fifthBit: false);

    /// <summary>The same for Q5_K rows.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget: see Vector512QuantTile
    public static void Q5K(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride) =>
        Q45K(row, x, stride, blocks, y, yStride, fifthBit: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q45K(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride, bool fifthBit)
    {
        int bytes = fifthBit ? Q5KBlock.Bytes : Q4KBlock.Bytes;
        int scalesOffset = fifthBit ? Q5KBlock.ScalesOffset : Q4KBlock.ScalesOffset;
        int qsOffset = fifthBit ? Q5KBlock.QsOffset : Q4KBlock.QsOffset;
        int scaleStride = stride / 32;
        var one = Vector512.Create((byte)1);
        Sums p0 = default, p1 = default, p2 = default, p3 = default;
        for (int b = 0; b < blocks; b++, row += bytes)
        {
            var packed = KQuantScales.Packed(row + scalesOffset);
            var mins = KQuantScales.Mins(packed);
            var scales = Avx2.ConvertToVector256Int16(packed).ToVector512Unsafe();
            sbyte* a = x.Quants + 256 * b;
            var high = Vector512<byte>.Zero;
            if (fifthBit)
            {
                var qh = Vector256.Load(row + Q5KBlock.QhOffset);
                high = Vector512.Create(qh, Shr(qh, 1));
            }
            Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default;
            var pair = PairIndex(0); // advanced by 2 per group: a loop-variable PairIndex(g) is built at run time
            for (int g = 0; g < 4; g++, pair += Vector512.Create((short)2))
            {
                var q = NibblePair(row + qsOffset + 32 * g);
                if (fifthBit) q |= Shl4(Shr(high, 2 * g) & one);
                // The scale goes into the word-pair step (exact: each pair sum times a 6-bit scale fits in i32), where
                // a dot times the scale cost a vpmulld, two port-0 µops per token on Intel.
                var scale = Avx512BW.PermuteVar32x16(scales, pair);
                sbyte* ag = a + 64 * g;
                i0 += ScaledDot(q, Vector512.Load(ag), scale);
                i1 += ScaledDot(q, Vector512.Load(ag + stride), scale);
                i2 += ScaledDot(q, Vector512.Load(ag + 2 * stride), scale);
                i3 += ScaledDot(q, Vector512.Load(ag + 3 * stride), scale);
            }
            float wd = Fp16.At(row), wmin = Fp16.At(row + 2);
            Finish(ref p0, i0, x.Scales[b], wd, wmin, mins, x.Sums + 8 * b);
            Finish(ref p1, i1, x.Scales[scaleStride + b], wd, wmin, mins, x.Sums + scaleStride + 8 * b);
            Finish(ref p2, i2, x.Scales[2 * scaleStride + b], wd, wmin, mins, x.Sums + 2 * scaleStride + 8 * b);
            Finish(ref p3, i3, x.Scales[3 * scaleStride + b], wd, wmin, mins, x.Sums + 3 * scaleStride + 8 * b);
        }
        y[0] = GgmlOrder.Sum8(p0.Acc) + GgmlOrder.Sum4(p0.Mins);
        y[yStride] = GgmlOrder.Sum8(p1.Acc) + GgmlOrder.Sum4(p1.Mins);
        y[2 * yStride] = GgmlOrder.Sum8(p2.Acc) + GgmlOrder.Sum4(p2.Mins);
        y[3 * yStride] = GgmlOrder.Sum8(p3.Acc) + GgmlOrder.Sum4(p3.Mins);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(ref Sums p, Vector512<int> sumi, float d, float wd, float wmin, Vector128<short> mins, int* sums)
    {
        p.Acc = GgmlOrder.Add(Eight(sumi), d * wd, p.Acc);
        p.Mins = GgmlOrder.Mins(mins, sums, -d * wmin, p.Mins);
    }

    /// <summary>y[t · <paramref name="yStride"/>] = Q6_K row · token t for four tokens <paramref name="stride"/> quants apart.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget: see Vector512QuantTile
    public static void Q6K(byte* row, in ActivationPointers x, int stride, int blocks, float* y, int yStride)
    {
        int scaleStride = stride / 32;
        var three = Vector512.Create((byte)3);
        var bias = Vector512.Create((byte)32);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int b = 0; b < blocks; b++, row += Q6KBlock.Bytes)
        {
            var scales = Q6Scales(row);
            Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default;
            // Written out per half so each scale index is a constant.
            Q6Half(row, 0, three, bias, scales, x.Quants + 256 * b, stride, ref i0, ref i1, ref i2, ref i3);
            Q6Half(row, 1, three, bias, scales, x.Quants + 256 * b + 128, stride, ref i0, ref i1, ref i2, ref i3);
            float wd = Fp16.At(row + Q6KBlock.DOffset);
            acc0 = GgmlOrder.Add(Eight(i0), x.Scales[b] * wd, acc0);
            acc1 = GgmlOrder.Add(Eight(i1), x.Scales[scaleStride + b] * wd, acc1);
            acc2 = GgmlOrder.Add(Eight(i2), x.Scales[2 * scaleStride + b] * wd, acc2);
            acc3 = GgmlOrder.Add(Eight(i3), x.Scales[3 * scaleStride + b] * wd, acc3);
        }
        y[0] = GgmlOrder.Sum8(acc0);
        y[yStride] = GgmlOrder.Sum8(acc1);
        y[2 * yStride] = GgmlOrder.Sum8(acc2);
        y[3 * yStride] = GgmlOrder.Sum8(acc3);
    }

    /// <summary>One half super-block of a Q6_K row against four tokens, in <see cref="Vector512KQuantDot.Q6K"/>'s integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6Half(byte* row, int half, Vector512<byte> three, Vector512<byte> bias, Vector512<short> scales, sbyte* a,
        int stride, ref Vector512<int> i0, ref Vector512<int> i1, ref Vector512<int> i2, ref Vector512<int> i3)
    {
        var (q12, q34) = Q6Quants(row, half, three);
        var s12 = Avx512BW.PermuteVar32x16(scales, Q6ScaleIndex(half, 0));
        var s34 = Avx512BW.PermuteVar32x16(scales, Q6ScaleIndex(half, 1));
        i0 += Q6Dot(q12, bias, Vector512.Load(a), s12) + Q6Dot(q34, bias, Vector512.Load(a + 64), s34);
        i1 += Q6Dot(q12, bias, Vector512.Load(a + stride), s12) + Q6Dot(q34, bias, Vector512.Load(a + stride + 64), s34);
        i2 += Q6Dot(q12, bias, Vector512.Load(a + 2 * stride), s12) + Q6Dot(q34, bias, Vector512.Load(a + 2 * stride + 64), s34);
        i3 += Q6Dot(q12, bias, Vector512.Load(a + 3 * stride), s12) + Q6Dot(q34, bias, Vector512.Load(a + 3 * stride + 64), s34);
    }
}
