using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;
using static Spark.Engine.Kernels.Vector256Dot;

namespace Spark.Engine.Kernels;

/// <summary>
/// AVX2/FMA dot products of k-quant rows (super-blocks of 256) with an F32 vector. For Q4_K/Q5_K each
/// sub-block contributes d·sc·Σq·x − dmin·m·Σx, so quants and x sums are accumulated per sub-block.
/// </summary>
internal static unsafe class Vector256KQuantDot
{
    public static float Q4K(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create(0xF);
        for (int b = 0; b < blocks; b++, row += Q4KBlock.Bytes, x += 256)
        {
            float d = HalfAt(row), dmin = HalfAt(row + 2);
            var scales = new ReadOnlySpan<byte>(row + Q4KBlock.ScalesOffset, 12);
            for (int g = 0; g < 4; g++)
            {
                byte* q = row + Q4KBlock.QsOffset + 32 * g;
                float* xa = x + 64 * g, xc = xa + 32;
                var qa = Vector256<float>.Zero; var sa = Vector256<float>.Zero;
                var qc = Vector256<float>.Zero; var sc = Vector256<float>.Zero;
                for (int l = 0; l < 32; l += 8)
                {
                    var v = WidenU8(q + l);
                    qa = MulAdd(v & low, xa + l, qa);
                    qc = MulAdd(v >>> 4, xc + l, qc);
                    sa += Avx.LoadVector256(xa + l);
                    sc += Avx.LoadVector256(xc + l);
                }
                KQuantSolver.ScaleMin(2 * g, scales, out int sc1, out int m1);
                KQuantSolver.ScaleMin(2 * g + 1, scales, out int sc2, out int m2);
                acc = Fma.MultiplyAdd(qa, Vector256.Create(d * sc1), acc);
                acc = Fma.MultiplyAdd(qc, Vector256.Create(d * sc2), acc);
                acc = Fma.MultiplyAdd(sa, Vector256.Create(-dmin * m1), acc);
                acc = Fma.MultiplyAdd(sc, Vector256.Create(-dmin * m2), acc);
            }
        }
        return Vector256.Sum(acc);
    }

    public static float Q5K(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create(0xF);
        var one = Vector256.Create(1);
        var two = Vector256.Create(2);
        for (int b = 0; b < blocks; b++, row += Q5KBlock.Bytes, x += 256)
        {
            float d = HalfAt(row), dmin = HalfAt(row + 2);
            var scales = new ReadOnlySpan<byte>(row + Q5KBlock.ScalesOffset, 12);
            byte* qh = row + Q5KBlock.QhOffset;
            for (int g = 0; g < 4; g++)
            {
                byte* ql = row + Q5KBlock.QsOffset + 32 * g;
                float* xa = x + 64 * g, xc = xa + 32;
                var qa = Vector256<float>.Zero; var sa = Vector256<float>.Zero;
                var qc = Vector256<float>.Zero; var sc = Vector256<float>.Zero;
                for (int l = 0; l < 32; l += 8)
                {
                    var v = WidenU8(ql + l);
                    var h = WidenU8(qh + l) >>> (2 * g);
                    qa = MulAdd((v & low) | ((h & one) << 4), xa + l, qa);
                    qc = MulAdd((v >>> 4) | ((h & two) << 3), xc + l, qc);
                    sa += Avx.LoadVector256(xa + l);
                    sc += Avx.LoadVector256(xc + l);
                }
                KQuantSolver.ScaleMin(2 * g, scales, out int sc1, out int m1);
                KQuantSolver.ScaleMin(2 * g + 1, scales, out int sc2, out int m2);
                acc = Fma.MultiplyAdd(qa, Vector256.Create(d * sc1), acc);
                acc = Fma.MultiplyAdd(qc, Vector256.Create(d * sc2), acc);
                acc = Fma.MultiplyAdd(sa, Vector256.Create(-dmin * m1), acc);
                acc = Fma.MultiplyAdd(sc, Vector256.Create(-dmin * m2), acc);
            }
        }
        return Vector256.Sum(acc);
    }

    public static float Q6K(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create(0xF);
        var three = Vector256.Create(3);
        var bias = Vector256.Create(32);
        for (int b = 0; b < blocks; b++, row += Q6KBlock.Bytes, x += 256)
        {
            float d = HalfAt(row + Q6KBlock.DOffset);
            for (int half = 0; half < 2; half++)
            {
                byte* ql = row + 64 * half;
                byte* qh = row + Q6KBlock.QhOffset + 32 * half;
                sbyte* scales = (sbyte*)(row + Q6KBlock.ScalesOffset + 8 * half);
                float* xh = x + 128 * half;
                for (int l = 0; l < 32; l += 8)
                {
                    int s = l / 16;
                    var a = WidenU8(ql + l);
                    var c = WidenU8(ql + l + 32);
                    var h = WidenU8(qh + l);
                    var q1 = ((a & low) | ((h & three) << 4)) - bias;
                    var q2 = ((c & low) | (((h >>> 2) & three) << 4)) - bias;
                    var q3 = ((a >>> 4) | (((h >>> 4) & three) << 4)) - bias;
                    var q4 = ((c >>> 4) | (((h >>> 6) & three) << 4)) - bias;
                    acc = Fma.MultiplyAdd(ToSingle(q1), Avx.LoadVector256(xh + l) * Vector256.Create(d * scales[s]), acc);
                    acc = Fma.MultiplyAdd(ToSingle(q2), Avx.LoadVector256(xh + l + 32) * Vector256.Create(d * scales[s + 2]), acc);
                    acc = Fma.MultiplyAdd(ToSingle(q3), Avx.LoadVector256(xh + l + 64) * Vector256.Create(d * scales[s + 4]), acc);
                    acc = Fma.MultiplyAdd(ToSingle(q4), Avx.LoadVector256(xh + l + 96) * Vector256.Create(d * scales[s + 6]), acc);
                }
            }
        }
        return Vector256.Sum(acc);
    }

    public static float Q8K(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q8KBlock.Bytes, x += 256)
        {
            sbyte* qs = (sbyte*)(row + Q8KBlock.QsOffset);
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            for (int j = 0; j < 256; j += 16)
            {
                s0 = MulAdd(Avx2.ConvertToVector256Int32(qs + j), x + j, s0);
                s1 = MulAdd(Avx2.ConvertToVector256Int32(qs + j + 8), x + j + 8, s1);
            }
            acc = Fma.MultiplyAdd(s0 + s1, Vector256.Create(*(float*)row), acc);
        }
        return Vector256.Sum(acc);
    }
}
