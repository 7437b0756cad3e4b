using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// The 512-bit kernels for Q4_0 rows interleaved sixteen at a time (<see cref="InterleavedQ4_0"/>): lane r of every
/// vector belongs to row r of the group, so a block's integer dot ends as sixteen i32 lanes, one per row, and is scaled
/// and added in F32 lane by lane. No horizontal sum is left at the end of a row, and one unpacking of the weights
/// serves every token of a prefill tile. Per lane the arithmetic is the same for one token and for four
/// (<see cref="Group"/>, <see cref="Tile"/>): acc = fma(float(Σ q·a), d·dₐ, acc) and offset = fma(d, dₐ·Σa, offset)
/// block after block, then acc − 8·offset; so prefill gives bit-for-bit the logits of token-by-token decoding.
/// </summary>
internal static unsafe class Vector512Q4_0x16
{
    /// <summary>y[0..15] = the group's sixteen rows · one Q8_0 activation row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Group(byte* quants, short* scales, int blocks, in ActivationPointers x, float* y)
    {
        var mask = Vector512.Create((byte)0x0F);
        sbyte* a = x.Quants;
        float* xs = x.Scales, xsum = x.ScaledSums;
        Vector512<float> acc = default, offset = default;
        for (int b = 0; b < blocks; b++, quants += InterleavedQ4_0.GroupBlockQuantBytes, scales += InterleavedQ4_0.Rows, a += 32)
        {
            var (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(quants, mask);
            var d = HalfToSingle(Vector256.Load(scales));
            acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(l0, h0, l1, h1, l2, h2, l3, h3, a)), d * Vector512.Create(xs[b]), acc);
            offset = Avx512F.FusedMultiplyAdd(d, Vector512.Create(xsum[b]), offset);
        }
        Finish(acc, offset).Store(y);
    }

    /// <summary>
    /// y[t · <paramref name="yStride"/> + 0..15] = the group's sixteen rows · activation row t, for the four rows starting
    /// at <paramref name="x"/> (<paramref name="stride"/> quants apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Tile(byte* quants, short* scales, int blocks, in ActivationPointers x, int stride, float* y, int yStride)
    {
        var mask = Vector512.Create((byte)0x0F);
        sbyte* a = x.Quants;
        float* xs = x.Scales, xsum = x.ScaledSums;
        int s1 = stride / 32, s2 = 2 * s1, s3 = 3 * s1;
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> off0 = default, off1 = default, off2 = default, off3 = default;
        for (int b = 0; b < blocks; b++, quants += InterleavedQ4_0.GroupBlockQuantBytes, scales += InterleavedQ4_0.Rows, a += 32)
        {
            var (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(quants, mask);
            var d = HalfToSingle(Vector256.Load(scales));
            acc0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(l0, h0, l1, h1, l2, h2, l3, h3, a)), d * Vector512.Create(xs[b]), acc0);
            acc1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(l0, h0, l1, h1, l2, h2, l3, h3, a + stride)),
                d * Vector512.Create(xs[s1 + b]), acc1);
            acc2 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(l0, h0, l1, h1, l2, h2, l3, h3, a + 2 * stride)),
                d * Vector512.Create(xs[s2 + b]), acc2);
            acc3 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(l0, h0, l1, h1, l2, h2, l3, h3, a + 3 * stride)),
                d * Vector512.Create(xs[s3 + b]), acc3);
            off0 = Avx512F.FusedMultiplyAdd(d, Vector512.Create(xsum[b]), off0);
            off1 = Avx512F.FusedMultiplyAdd(d, Vector512.Create(xsum[s1 + b]), off1);
            off2 = Avx512F.FusedMultiplyAdd(d, Vector512.Create(xsum[s2 + b]), off2);
            off3 = Avx512F.FusedMultiplyAdd(d, Vector512.Create(xsum[s3 + b]), off3);
        }
        Finish(acc0, off0).Store(y);
        Finish(acc1, off1).Store(y + yStride);
        Finish(acc2, off2).Store(y + 2 * yStride);
        Finish(acc3, off3).Store(y + 3 * yStride);
    }

    /// <summary>
    /// A group block's 256 bytes as eight vectors of unsigned quants: vector k's lane r holds quants 4k..4k+3 of row r
    /// (low nibbles, <c>l</c>) or quants 16+4k..16+4k+3 (high nibbles, <c>h</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<byte>, Vector512<byte>, Vector512<byte>, Vector512<byte>, Vector512<byte>, Vector512<byte>,
        Vector512<byte>, Vector512<byte>) Unpack(byte* quants, Vector512<byte> mask)
    {
        var v0 = Vector512.Load(quants);
        var v1 = Vector512.Load(quants + 64);
        var v2 = Vector512.Load(quants + 128);
        var v3 = Vector512.Load(quants + 192);
        return (v0 & mask, (v0.AsUInt16() >>> 4).AsByte() & mask, v1 & mask, (v1.AsUInt16() >>> 4).AsByte() & mask,
            v2 & mask, (v2.AsUInt16() >>> 4).AsByte() & mask, v3 & mask, (v3.AsUInt16() >>> 4).AsByte() & mask);
    }

    /// <summary>
    /// Per row lane, Σ of the block's 32 quants × the 32 activation quants at <paramref name="a"/>. The eight pairwise
    /// i16 sums are added in i16 before the one widening step: |each| ≤ 2 · 15 · 127, so eight fit (30,480 ≤ 32,767).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(Vector512<byte> l0, Vector512<byte> h0, Vector512<byte> l1, Vector512<byte> h1,
        Vector512<byte> l2, Vector512<byte> h2, Vector512<byte> l3, Vector512<byte> h3, sbyte* a)
    {
        var s = Avx512BW.MultiplyAddAdjacent(l0, Broadcast(a)) + Avx512BW.MultiplyAddAdjacent(h0, Broadcast(a + 16))
            + (Avx512BW.MultiplyAddAdjacent(l1, Broadcast(a + 4)) + Avx512BW.MultiplyAddAdjacent(h1, Broadcast(a + 20)))
            + (Avx512BW.MultiplyAddAdjacent(l2, Broadcast(a + 8)) + Avx512BW.MultiplyAddAdjacent(h2, Broadcast(a + 24)))
            + (Avx512BW.MultiplyAddAdjacent(l3, Broadcast(a + 12)) + Avx512BW.MultiplyAddAdjacent(h3, Broadcast(a + 28)));
        return Avx512BW.MultiplyAddAdjacent(s, Vector512<short>.One);
    }

    /// <summary>Four activation quants repeated in every lane (one broadcast load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Broadcast(sbyte* a) => Vector512.Create(Unsafe.ReadUnaligned<int>(a)).AsSByte();

    /// <summary>Q4_0's quants are q − 8: the offset term comes off once, at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> acc, Vector512<float> offset) => acc - Vector512.Create(8f) * offset;

    /// <summary>
    /// Sixteen F16 scales to F32, exact: normals (the common case) by moving the fields and rescaling by 2^112, anything
    /// else through <see cref="Vector256Dot.HalfToSingle(Vector128{short})"/>, which never feeds a multiply an F32
    /// subnormal (a microcode assist on AMD Zen).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> HalfToSingle(Vector256<short> words)
    {
        var magnitude = words.AsUInt16() & Vector256.Create((ushort)0x7FFF);
        // One unsigned compare flags exponent 0 (zeros too, which the exact path also gets right) and exponent 31.
        if (Vector256.GreaterThanAny(magnitude - Vector256.Create((ushort)0x0400), Vector256.Create((ushort)0x77FF)))
            return Vector512.Create(Vector256Dot.HalfToSingle(words.GetLower()), Vector256Dot.HalfToSingle(words.GetUpper()));
        var fields = (Avx512F.ConvertToVector512Int32(words) << 13) & Vector512.Create(unchecked((int)0x8FFF_E000));
        return fields.AsSingle() * Vector512.Create(BitConverter.Int32BitsToSingle(0x77800000)); // × 2^112
    }
}
