using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// 256-bit k-quant row · Q8_K activation dot products: per super-block of 256 the sub-block integer dots are scaled by
/// their 6/8-bit integer scales and summed exactly in i32, then converted once; mins (Q4_K/Q5_K) and Q6_K's −32 offset
/// come from the activation sums. <see cref="ScalarQuantDot"/> is the reference.
/// </summary>
internal static unsafe class Vector256KQuantDot<TDot> where TDot : struct, IByteDot
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Low(Vector256<byte> v) => v & Vector256.Create((byte)0x0F);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Shr(Vector256<byte> v, int n) => (v.AsUInt16() >>> n).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Shl4(Vector256<byte> v) => Avx2.ShiftLeftLogical(v.AsUInt16(), 4).AsByte();

    public static float Q4K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var mins = Vector128<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q4KBlock.Bytes)
        {
            var packed = KQuantScales.Packed(row + Q4KBlock.ScalesOffset);
            var sc = Avx2.ConvertToVector256Int32(packed);
            sbyte* a = x.Quants + 256 * b;
            var sumi = Vector256<int>.Zero;
            for (int g = 0; g < 4; g++)
            {
                var raw = Avx.LoadVector256(row + Q4KBlock.QsOffset + 32 * g);
                var lo = TDot.Dot(Low(raw), Avx.LoadVector256(a + 64 * g));
                var hi = TDot.Dot(Low(Shr(raw, 4)), Avx.LoadVector256(a + 64 * g + 32));
                sumi += lo * Avx2.PermuteVar8x32(sc, Vector256.Create(2 * g)) + hi * Avx2.PermuteVar8x32(sc, Vector256.Create(2 * g + 1));
            }
            float d = x.Scales[b];
            acc = GgmlOrder.Add(sumi, d * Fp16.At(row), acc);
            mins = GgmlOrder.Mins(KQuantScales.Mins(packed), x.Sums + 8 * b, -d * Fp16.At(row + 2), mins);
        }
        return GgmlOrder.Sum8(acc) + GgmlOrder.Sum4(mins);
    }

    public static float Q5K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var one = Vector256.Create((byte)1);
        var mins = Vector128<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q5KBlock.Bytes)
        {
            var packed = KQuantScales.Packed(row + Q5KBlock.ScalesOffset);
            var sc = Avx2.ConvertToVector256Int32(packed);
            sbyte* a = x.Quants + 256 * b;
            var qh = Avx.LoadVector256(row + Q5KBlock.QhOffset);
            var sumi = Vector256<int>.Zero;
            for (int g = 0; g < 4; g++)
            {
                var raw = Avx.LoadVector256(row + Q5KBlock.QsOffset + 32 * g);
                var qlo = Low(raw) | Shl4(Shr(qh, 2 * g) & one);
                var qhi = Low(Shr(raw, 4)) | Shl4(Shr(qh, 2 * g + 1) & one);
                var lo = TDot.Dot(qlo, Avx.LoadVector256(a + 64 * g));
                var hi = TDot.Dot(qhi, Avx.LoadVector256(a + 64 * g + 32));
                sumi += lo * Avx2.PermuteVar8x32(sc, Vector256.Create(2 * g)) + hi * Avx2.PermuteVar8x32(sc, Vector256.Create(2 * g + 1));
            }
            float d = x.Scales[b];
            acc = GgmlOrder.Add(sumi, d * Fp16.At(row), acc);
            mins = GgmlOrder.Mins(KQuantScales.Mins(packed), x.Sums + 8 * b, -d * Fp16.At(row + 2), mins);
        }
        return GgmlOrder.Sum8(acc) + GgmlOrder.Sum4(mins);
    }

    public static float Q6K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var three = Vector256.Create((byte)3);
        var bias = Vector256.Create((byte)32);
        // Lanes 0-3 of a dot cover the first 16 quants of a 32-quant run, lanes 4-7 the second: one scale each.
        var pick0 = Vector256.Create(0, 0, 0, 0, 1, 1, 1, 1);
        var pick1 = pick0 + Vector256.Create(2);
        var pick2 = pick0 + Vector256.Create(4);
        var pick3 = pick0 + Vector256.Create(6);
        for (int b = 0; b < blocks; b++, row += Q6KBlock.Bytes)
        {
            sbyte* scales = (sbyte*)(row + Q6KBlock.ScalesOffset);
            var sumi = Vector256<int>.Zero;
            for (int half = 0; half < 2; half++)
            {
                byte* ql = row + 64 * half;
                sbyte* a = x.Quants + 256 * b + 128 * half;
                var sc = Avx2.ConvertToVector256Int32(scales + 8 * half);
                var l0 = Avx.LoadVector256(ql);
                var l1 = Avx.LoadVector256(ql + 32);
                var h = Avx.LoadVector256(row + Q6KBlock.QhOffset + 32 * half);
                var q1 = Low(l0) | Shl4(h & three);
                var q2 = Low(l1) | Shl4(Shr(h, 2) & three);
                var q3 = Low(Shr(l0, 4)) | Shl4(Shr(h, 4) & three);
                var q4 = Low(Shr(l1, 4)) | Shl4(Shr(h, 6) & three);
                var a1 = Avx.LoadVector256(a);
                var a2 = Avx.LoadVector256(a + 32);
                var a3 = Avx.LoadVector256(a + 64);
                var a4 = Avx.LoadVector256(a + 96);
                // (q − 32)·a per lane, as ggml subtracts the offset before scaling.
                sumi += (TDot.Dot(q1, a1) - TDot.Dot(bias, a1)) * Avx2.PermuteVar8x32(sc, pick0)
                      + (TDot.Dot(q2, a2) - TDot.Dot(bias, a2)) * Avx2.PermuteVar8x32(sc, pick1)
                      + (TDot.Dot(q3, a3) - TDot.Dot(bias, a3)) * Avx2.PermuteVar8x32(sc, pick2)
                      + (TDot.Dot(q4, a4) - TDot.Dot(bias, a4)) * Avx2.PermuteVar8x32(sc, pick3);
            }
            acc = GgmlOrder.Add(sumi, x.Scales[b] * Fp16.At(row + Q6KBlock.DOffset), acc);
        }
        return GgmlOrder.Sum8(acc);
    }

    public static float Q8K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q8KBlock.Bytes)
        {
            sbyte* q = (sbyte*)(row + Q8KBlock.QsOffset), a = x.Quants + 256 * b;
            var sumi = Vector256<int>.Zero;
            for (int j = 0; j < 256; j += 32)
            {
                var w = Avx.LoadVector256(q + j);
                sumi += TDot.Dot(Avx2.Abs(w), Avx2.Sign(Avx.LoadVector256(a + j), w));
            }
            acc = GgmlOrder.Add(sumi, x.Scales[b] * *(float*)row, acc);
        }
        return GgmlOrder.Sum8(acc);
    }
}
