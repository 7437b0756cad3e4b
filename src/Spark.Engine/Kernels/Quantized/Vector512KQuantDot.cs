using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;
using static Spark.Engine.Kernels.Quantized.Vector512QuantDot;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// 512-bit k-quant row · Q8_K activation dot products: 64 quants per vector (two sub-blocks), each lane's integer dot
/// multiplied by its sub-block's integer scale (picked with a lane permute) and summed exactly per super-block.
/// <see cref="ScalarQuantDot"/> is the reference.
/// </summary>
internal static unsafe class Vector512KQuantDot
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Low(Vector512<byte> v) => v & Vector512.Create((byte)0x0F);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Shr(Vector512<byte> v, int n) => (v.AsUInt16() >>> n).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Shr(Vector256<byte> v, int n) => (v.AsUInt16() >>> n).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Shl4(Vector512<byte> v) => (v.AsUInt16() << 4).AsByte();

    /// <summary>
    /// Folds 16 lane sums to ggml's 8 (lane i + lane i+8: the same four positions of two 32-quant runs, which is what
    /// ggml's 256-bit lanes accumulate); integer adds are exact, so the F32 step then matches ggml's bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Eight(Vector512<int> sums) => sums.GetLower() + sums.GetUpper();

    /// <summary>Σ over a 64-quant pair of sub-blocks of (u × s) × the sub-blocks' scales, per i32 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> ScaledDot(Vector512<byte> u, Vector512<sbyte> s, Vector512<short> scalePair) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s), scalePair);

    public static float Q4K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var mins = Vector128<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q4KBlock.Bytes)
        {
            var packed = KQuantScales.Packed(row + Q4KBlock.ScalesOffset);
            var scales = Avx2.ConvertToVector256Int16(packed).ToVector512Unsafe();
            sbyte* a = x.Quants + 256 * b;
            byte* qs = row + Q4KBlock.QsOffset;
            // Written out per group so each pair index is a constant (the loop rebuilt it with four port-5 µops).
            var sumi = ScaledDot(NibblePair(qs), Vector512.Load(a), Avx512BW.PermuteVar32x16(scales, PairIndex(0)));
            sumi += ScaledDot(NibblePair(qs + 32), Vector512.Load(a + 64), Avx512BW.PermuteVar32x16(scales, PairIndex(1)));
            sumi += ScaledDot(NibblePair(qs + 64), Vector512.Load(a + 128), Avx512BW.PermuteVar32x16(scales, PairIndex(2)));
            sumi += ScaledDot(NibblePair(qs + 96), Vector512.Load(a + 192), Avx512BW.PermuteVar32x16(scales, PairIndex(3)));
            float d = x.Scales[b];
            acc = GgmlOrder.Add(Eight(sumi), d * Fp16.At(row), acc);
            mins = GgmlOrder.Mins(KQuantScales.Mins(packed), x.Sums + 8 * b, -d * Fp16.At(row + 2), mins);
        }
        return GgmlOrder.Sum8(acc) + GgmlOrder.Sum4(mins);
    }

    public static float Q5K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var one = Vector512.Create((byte)1);
        var mins = Vector128<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q5KBlock.Bytes)
        {
            var packed = KQuantScales.Packed(row + Q5KBlock.ScalesOffset);
            var scales = Avx2.ConvertToVector256Int16(packed).ToVector512Unsafe();
            sbyte* a = x.Quants + 256 * b;
            var qh = Vector256.Load(row + Q5KBlock.QhOffset);
            // Sub-block 2g takes bit 2g of each qh byte, sub-block 2g+1 bit 2g+1: pre-shift the upper half by one.
            var high = Vector512.Create(qh, Shr(qh, 1));
            byte* qs = row + Q5KBlock.QsOffset;
            var sumi = ScaledDot(NibblePair(qs) | Shl4(high & one), Vector512.Load(a), Avx512BW.PermuteVar32x16(scales, PairIndex(0)));
            sumi += ScaledDot(NibblePair(qs + 32) | Shl4(Shr(high, 2) & one), Vector512.Load(a + 64), Avx512BW.PermuteVar32x16(scales, PairIndex(1)));
            sumi += ScaledDot(NibblePair(qs + 64) | Shl4(Shr(high, 4) & one), Vector512.Load(a + 128), Avx512BW.PermuteVar32x16(scales, PairIndex(2)));
            sumi += ScaledDot(NibblePair(qs + 96) | Shl4(Shr(high, 6) & one), Vector512.Load(a + 192), Avx512BW.PermuteVar32x16(scales, PairIndex(3)));
            float d = x.Scales[b];
            acc = GgmlOrder.Add(Eight(sumi), d * Fp16.At(row), acc);
            mins = GgmlOrder.Mins(KQuantScales.Mins(packed), x.Sums + 8 * b, -d * Fp16.At(row + 2), mins);
        }
        return GgmlOrder.Sum8(acc) + GgmlOrder.Sum4(mins);
    }

    /// <summary>
    /// A 32-byte group of packed 4-bit quants as 64 values: the low nibbles (sub-block 2g) in bytes 0-31, the high
    /// nibbles (sub-block 2g + 1) in bytes 32-63: one lane insert and a per-half variable shift, where shifting a copy
    /// first took a second insert (port 5 on Intel, which the scale permutes need). Not a broadcast load
    /// (Avx512F.BroadcastVector256ToVector512): under .NET 10's JIT it gave wrong quants for the groups at nonzero
    /// offsets (its disassembly shows vbroadcasti64x4 with a 16-byte operand, so the compressed displacement is
    /// suspect); the kernel tests catch it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> NibblePair(byte* qs)
    {
        var raw = Vector256.Load(qs);
        var both = Avx512F.InsertVector256(raw.ToVector512Unsafe(), raw, 1);
        return Low(Avx512BW.ShiftRightLogicalVariable(both.AsUInt16(), Vector512.Create(0L, 0, 0, 0,
            0x0004_0004_0004_0004, 0x0004_0004_0004_0004, 0x0004_0004_0004_0004, 0x0004_0004_0004_0004).AsUInt16()).AsByte());
    }

    /// <summary>Word indices: 2g in lanes 0-15, 2g + 1 in lanes 16-31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<short> PairIndex(int g)
    {
        // Eight 64-bit constants, which the JIT folds into one vector constant (two Vector256 halves it rebuilt each use).
        long low = 0x0001_0001_0001_0001L * (2 * g), high = 0x0001_0001_0001_0001L * (2 * g + 1);
        return Vector512.Create(low, low, low, low, high, high, high, high).AsInt16();
    }

    public static float Q6K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var three = Vector512.Create((byte)3);
        var bias = Vector512.Create((byte)32);
        for (int b = 0; b < blocks; b++, row += Q6KBlock.Bytes)
        {
            var scales = Q6Scales(row);
            sbyte* a = x.Quants + 256 * b;
            // Written out per half so each scale index is a constant.
            var (q12, q34) = Q6Quants(row, 0, three);
            var sumi = Q6Dot(q12, bias, Vector512.Load(a), Avx512BW.PermuteVar32x16(scales, Q6ScaleIndex(0, 0)))
                     + Q6Dot(q34, bias, Vector512.Load(a + 64), Avx512BW.PermuteVar32x16(scales, Q6ScaleIndex(0, 1)));
            (q12, q34) = Q6Quants(row, 1, three);
            sumi += Q6Dot(q12, bias, Vector512.Load(a + 128), Avx512BW.PermuteVar32x16(scales, Q6ScaleIndex(1, 0)))
                  + Q6Dot(q34, bias, Vector512.Load(a + 192), Avx512BW.PermuteVar32x16(scales, Q6ScaleIndex(1, 1)));
            acc = GgmlOrder.Add(Eight(sumi), x.Scales[b] * Fp16.At(row + Q6KBlock.DOffset), acc);
        }
        return GgmlOrder.Sum8(acc);
    }

    /// <summary>A Q6_K super-block's sixteen signed 8-bit scales as 16-bit words (lanes 0-15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<short> Q6Scales(byte* row) =>
        Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(row + Q6KBlock.ScalesOffset))).ToVector512Unsafe();

    /// <summary>
    /// One half super-block's 128 six-bit quants as two vectors of 64: quants 0-31 and 32-63 of the half (low nibbles
    /// of ql with qh bits 0-1 and 2-3), then 64-95 and 96-127 (high nibbles with qh bits 4-5 and 6-7).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<byte> Q12, Vector512<byte> Q34) Q6Quants(byte* row, int half, Vector512<byte> three)
    {
        var ql = Vector512.Load(row + 64 * half);
        var qh = Vector256.Load(row + Q6KBlock.QhOffset + 32 * half);
        var h = Vector512.Create(qh, Shr(qh, 2));
        return (Low(ql) | Shl4(h & three), Low(Shr(ql, 4)) | Shl4(Shr(h, 4) & three));
    }

    /// <summary>
    /// Σ (q − 32)·a × the 16-quant group's scale per i32 lane, as ggml computes it: the offset's products are taken off
    /// in 16 bits (|q·a pair| ≤ 2·63·128, no saturation) and the scale goes into the word-pair step (the pair shares one
    /// group), where multiplying the lane sums by the scale took a vpmulld. The same integers either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> Q6Dot(Vector512<byte> q, Vector512<byte> bias, Vector512<sbyte> a, Vector512<short> scalePairs) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, a) - Avx512BW.MultiplyAddAdjacent(bias, a), scalePairs);

    /// <summary>
    /// Word indices into <see cref="Q6Scales"/> for 64 quants of half <paramref name="half"/> (quarter pair
    /// <paramref name="quarter"/>: 0 for quants 0-63 of the half, 1 for 64-127): words 8k..8k+7 (16 quants) take scale
    /// 8·half + 4·quarter + k. Eight 64-bit constants, which the JIT folds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<short> Q6ScaleIndex(int half, int quarter)
    {
        long c = 8 * half + 4 * quarter, one = 0x0001_0001_0001_0001L;
        return Vector512.Create(one * c, one * c, one * (c + 1), one * (c + 1),
            one * (c + 2), one * (c + 2), one * (c + 3), one * (c + 3)).AsInt16();
    }

    public static float Q8K(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q8KBlock.Bytes)
        {
            sbyte* q = (sbyte*)(row + Q8KBlock.QsOffset), a = x.Quants + 256 * b;
            var sumi = Vector512<int>.Zero;
            for (int j = 0; j < 256; j += 64) sumi += SignedDot(Vector512.Load(q + j), Vector512.Load(a + j));
            acc = GgmlOrder.Add(Eight(sumi), x.Scales[b] * *(float*)row, acc);
        }
        return GgmlOrder.Sum8(acc);
    }
}
