using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The kernels for Q8_0 rows interleaved sixteen at a time (<see cref="InterleavedRows"/>), with
/// <see cref="Vector512NibbleX16{TBlock}"/>'s lane-per-row arithmetic: acc = fma(float(Σ w·a), d·dₐ, acc) block after
/// block, the same for one token (<see cref="Group"/>) and four (<see cref="Tile"/>), so prefill gives bit-for-bit the
/// logits of token-by-token decoding. The layout stores each quant as w + 128 (unsigned), so AVX-VNNI's vpdpbusd takes
/// it straight against the signed activation: Σ (w + 128)·a = Σ w·a + 128·Σa, and Σa per block is already in the
/// activations. One vpdpbusd per four quants of eight rows replaces the abs, sign, two multiplies and widening add of
/// the unsigned × signed byte product.
/// </summary>
internal static unsafe class Vector512Q8_0x16
{
    /// <summary>True when this CPU runs these kernels (AVX-512 F and AVX-VNNI).</summary>
    public static bool IsSupported => Avx512F.IsSupported && AvxVnni.IsSupported;

    /// <summary>y[0..15] = the group's sixteen rows · one Q8_0 activation row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Group(byte* quants, short* scales, int blocks, in ActivationPointers x, float* y)
    {
        sbyte* a = x.Quants;
        float* xs = x.Scales;
        int* sums = x.Sums;
        var acc = Vector512<float>.Zero;
        for (int b = 0; b < blocks; b++, quants += InterleavedRows.Q8Bytes, scales += InterleavedRows.Rows, a += 32)
        {
            var d = Vector512Scales.HalfToSingle(Vector256.Load(scales));
            acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(quants, a, sums[b])), d * Vector512.Create(xs[b]), acc);
        }
        acc.Store(y);
    }

    /// <summary>
    /// <see cref="Group"/> for two groups at once, the same arithmetic per lane: see
    /// <see cref="Vector512NibbleX16{TBlock}.Group2"/> for why.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Group2(byte* q0, short* s0, byte* q1, short* s1, int blocks, in ActivationPointers x, float* y0, float* y1)
    {
        sbyte* a = x.Quants;
        float* xs = x.Scales;
        int* sums = x.Sums;
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        for (int b = 0; b < blocks; b++, q0 += InterleavedRows.Q8Bytes, s0 += InterleavedRows.Rows, q1 += InterleavedRows.Q8Bytes,
             s1 += InterleavedRows.Rows, a += 32)
        {
            var xsb = Vector512.Create(xs[b]);
            var d0 = Vector512Scales.HalfToSingle(Vector256.Load(s0));
            acc0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(q0, a, sums[b])), d0 * xsb, acc0);
            var d1 = Vector512Scales.HalfToSingle(Vector256.Load(s1));
            acc1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(q1, a, sums[b])), d1 * xsb, acc1);
        }
        acc0.Store(y0);
        acc1.Store(y1);
    }

    /// <summary>
    /// y[t · <paramref name="yStride"/> + 0..15] = the group's sixteen rows · activation row t, for the four rows starting
    /// at <paramref name="x"/> (<paramref name="stride"/> quants apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Tile(byte* quants, short* scales, int blocks, in ActivationPointers x, int stride, float* y, int yStride)
    {
        sbyte* a = x.Quants;
        float* xs = x.Scales;
        int* sums = x.Sums;
        int s1 = stride / 32, s2 = 2 * s1, s3 = 3 * s1;
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int b = 0; b < blocks; b++, quants += InterleavedRows.Q8Bytes, scales += InterleavedRows.Rows, a += 32)
        {
            var d = Vector512Scales.HalfToSingle(Vector256.Load(scales));
            acc0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(quants, a, sums[b])), d * Vector512.Create(xs[b]), acc0);
            acc1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(quants, a + stride, sums[s1 + b])),
                d * Vector512.Create(xs[s1 + b]), acc1);
            acc2 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(quants, a + 2 * stride, sums[s2 + b])),
                d * Vector512.Create(xs[s2 + b]), acc2);
            acc3 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(quants, a + 3 * stride, sums[s3 + b])),
                d * Vector512.Create(xs[s3 + b]), acc3);
        }
        acc0.Store(y);
        acc1.Store(y + yStride);
        acc2.Store(y + 2 * yStride);
        acc3.Store(y + 3 * yStride);
    }

    /// <summary>
    /// Per row lane, Σ of the group block's 32 quants × the 32 activation quants at <paramref name="a"/>
    /// (<paramref name="sum"/> = their Σ). Vector k's first 32 bytes hold quants 4k..4k+3 of rows 0-7, its last 32 those
    /// of rows 8-15; two chains per half keep the dependent vpdpbusd short.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(byte* w, sbyte* a, int sum)
    {
        var low0 = Vector256.Create(-128 * sum);
        var high0 = low0;
        var low1 = Vector256<int>.Zero;
        var high1 = Vector256<int>.Zero;
        for (int k = 0; k < 8; k += 2) // unrolled by the JIT (constant bounds)
        {
            var a0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 4 * k)).AsSByte();
            var a1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a + 4 * k + 4)).AsSByte();
            low0 = AvxVnni.MultiplyWideningAndAdd(low0, Vector256.Load(w + 64 * k), a0);
            high0 = AvxVnni.MultiplyWideningAndAdd(high0, Vector256.Load(w + 64 * k + 32), a0);
            low1 = AvxVnni.MultiplyWideningAndAdd(low1, Vector256.Load(w + 64 * k + 64), a1);
            high1 = AvxVnni.MultiplyWideningAndAdd(high1, Vector256.Load(w + 64 * k + 96), a1);
        }
        return Vector512.Create(low0 + low1, high0 + high1);
    }
}
