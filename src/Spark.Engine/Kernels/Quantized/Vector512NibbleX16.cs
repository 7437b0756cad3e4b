using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>A packed 4- or 5-bit type in <see cref="InterleavedRows"/>' layout: what the nibble kernels need to know.</summary>
internal interface INibbleX16
{
    /// <summary>True for Q5_0: a 64-byte vector of fifth bits follows each group block's 256 nibble bytes.</summary>
    static abstract bool FifthBit { get; }

    /// <summary>What the unsigned quants are stored above their value (q − 8 for Q4_0, q − 16 for Q5_0).</summary>
    static abstract float Offset { get; }
}

/// <summary>Q4_0 in <see cref="InterleavedRows"/>' layout.</summary>
internal readonly struct Q4_0x16 : INibbleX16
{
    public static bool FifthBit => false;
    public static float Offset => 8;
}

/// <summary>Q5_0 in <see cref="InterleavedRows"/>' layout.</summary>
internal readonly struct Q5_0x16 : INibbleX16
{
    public static bool FifthBit => true;
    public static float Offset => 16;
}

/// <summary>
/// The 512-bit kernels for Q4_0 and Q5_0 rows interleaved sixteen at a time (<see cref="InterleavedRows"/>): lane r of
/// every vector belongs to row r of the group, so a block's integer dot ends as sixteen i32 lanes, one per row, and is
/// scaled and added in F32 lane by lane. No horizontal sum is left at the end of a row, and one unpacking of the
/// weights serves every token of a prefill tile. Per lane the arithmetic is the same for one token and for four
/// (<see cref="Group"/>, <see cref="Tile"/>): acc = fma(float(Σ q·a), d·dₐ, acc) and offset = fma(d, dₐ·Σa, offset)
/// block after block, then acc − <see cref="INibbleX16.Offset"/>·offset; so prefill gives bit-for-bit the logits of
/// token-by-token decoding.
/// </summary>
internal static unsafe class Vector512NibbleX16<TBlock> where TBlock : struct, INibbleX16
{
    private static int QuantBytes => InterleavedRows.NibbleBytes + (TBlock.FifthBit ? InterleavedRows.FifthBitBytes : 0);

    /// <summary>y[0..15] = the group's sixteen rows · one Q8_0 activation row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Group(byte* quants, short* scales, int blocks, in ActivationPointers x, float* y)
    {
        var mask = Vector512.Create((byte)0x0F);
        sbyte* a = x.Quants;
        float* xs = x.Scales, xsum = x.ScaledSums;
        Vector512<float> acc = default, offset = default;
        for (int b = 0; b < blocks; b++, quants += QuantBytes, scales += InterleavedRows.Rows, a += 32)
        {
            var (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(quants, mask);
            var d = Vector512Scales.HalfToSingle(Vector256.Load(scales));
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a, xs + b, xsum + b, ref acc, ref offset);
        }
        Finish(acc, offset).Store(y);
    }

    /// <summary>
    /// <see cref="Group"/> for two groups at once (<paramref name="q0"/> into <paramref name="y0"/>, <paramref name="q1"/>
    /// into <paramref name="y1"/>), the same arithmetic per lane. Decode reads weights from memory, and two streams far
    /// apart keep more reads in flight than one: a lone stream reached 15–20% less bandwidth on one core.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Group2(byte* q0, short* s0, byte* q1, short* s1, int blocks, in ActivationPointers x, float* y0, float* y1)
    {
        var mask = Vector512.Create((byte)0x0F);
        sbyte* a = x.Quants;
        float* xs = x.Scales, xsum = x.ScaledSums;
        Vector512<float> acc0 = default, off0 = default, acc1 = default, off1 = default;
        for (int b = 0; b < blocks; b++, q0 += QuantBytes, s0 += InterleavedRows.Rows, q1 += QuantBytes, s1 += InterleavedRows.Rows,
             a += 32)
        {
            var (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(q0, mask);
            var d = Vector512Scales.HalfToSingle(Vector256.Load(s0));
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a, xs + b, xsum + b, ref acc0, ref off0);
            (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(q1, mask);
            d = Vector512Scales.HalfToSingle(Vector256.Load(s1));
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a, xs + b, xsum + b, ref acc1, ref off1);
        }
        Finish(acc0, off0).Store(y0);
        Finish(acc1, off1).Store(y1);
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
        int s = stride / 32;
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> off0 = default, off1 = default, off2 = default, off3 = default;
        for (int b = 0; b < blocks; b++, quants += QuantBytes, scales += InterleavedRows.Rows, a += 32)
        {
            var (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(quants, mask);
            var d = Vector512Scales.HalfToSingle(Vector256.Load(scales));
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a, xs + b, xsum + b, ref acc0, ref off0);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + stride, xs + s + b, xsum + s + b, ref acc1, ref off1);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 2 * stride, xs + 2 * s + b, xsum + 2 * s + b, ref acc2, ref off2);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 3 * stride, xs + 3 * s + b, xsum + 3 * s + b, ref acc3, ref off3);
        }
        Finish(acc0, off0).Store(y);
        Finish(acc1, off1).Store(y + yStride);
        Finish(acc2, off2).Store(y + 2 * yStride);
        Finish(acc3, off3).Store(y + 3 * yStride);
    }

    /// <summary>
    /// <see cref="Tile"/> for eight activation rows: one unpacking of the weights per block serves eight tokens (about a
    /// tenth fewer instructions per token than four).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, like the other tile kernels
    public static void Tile8(byte* quants, short* scales, int blocks, in ActivationPointers x, int stride, float* y, int yStride)
    {
        var mask = Vector512.Create((byte)0x0F);
        sbyte* a = x.Quants;
        float* xs = x.Scales, xsum = x.ScaledSums;
        int s = stride / 32;
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        Vector512<float> off0 = default, off1 = default, off2 = default, off3 = default;
        Vector512<float> off4 = default, off5 = default, off6 = default, off7 = default;
        for (int b = 0; b < blocks; b++, quants += QuantBytes, scales += InterleavedRows.Rows, a += 32)
        {
            var (l0, h0, l1, h1, l2, h2, l3, h3) = Unpack(quants, mask);
            var d = Vector512Scales.HalfToSingle(Vector256.Load(scales));
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a, xs + b, xsum + b, ref acc0, ref off0);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + stride, xs + s + b, xsum + s + b, ref acc1, ref off1);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 2 * stride, xs + 2 * s + b, xsum + 2 * s + b, ref acc2, ref off2);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 3 * stride, xs + 3 * s + b, xsum + 3 * s + b, ref acc3, ref off3);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 4 * stride, xs + 4 * s + b, xsum + 4 * s + b, ref acc4, ref off4);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 5 * stride, xs + 5 * s + b, xsum + 5 * s + b, ref acc5, ref off5);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 6 * stride, xs + 6 * s + b, xsum + 6 * s + b, ref acc6, ref off6);
            Step(l0, h0, l1, h1, l2, h2, l3, h3, d, a + 7 * stride, xs + 7 * s + b, xsum + 7 * s + b, ref acc7, ref off7);
        }
        Finish(acc0, off0).Store(y);
        Finish(acc1, off1).Store(y + yStride);
        Finish(acc2, off2).Store(y + 2 * yStride);
        Finish(acc3, off3).Store(y + 3 * yStride);
        Finish(acc4, off4).Store(y + 4 * yStride);
        Finish(acc5, off5).Store(y + 5 * yStride);
        Finish(acc6, off6).Store(y + 6 * yStride);
        Finish(acc7, off7).Store(y + 7 * yStride);
    }

    /// <summary>One token's block step, the same in every kernel here: acc += float(dot)·(d·dₐ), offset += d·(dₐ·Σa).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector512<byte> l0, Vector512<byte> h0, Vector512<byte> l1, Vector512<byte> h1, Vector512<byte> l2,
        Vector512<byte> h2, Vector512<byte> l3, Vector512<byte> h3, Vector512<float> d, sbyte* a, float* scale, float* sum,
        ref Vector512<float> acc, ref Vector512<float> offset)
    {
        acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Dot(l0, h0, l1, h1, l2, h2, l3, h3, a)), d * Vector512.Create(*scale), acc);
        offset = Avx512F.FusedMultiplyAdd(d, Vector512.Create(*sum), offset);
    }

    /// <summary>
    /// A group block as eight vectors of unsigned quants: vector k's lane r holds quants 4k..4k+3 of row r (low nibbles,
    /// <c>l</c>) or quants 16+4k..16+4k+3 (high nibbles, <c>h</c>), with Q5_0's fifth bits added in bit 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<byte>, Vector512<byte>, Vector512<byte>, Vector512<byte>, Vector512<byte>, Vector512<byte>,
        Vector512<byte>, Vector512<byte>) Unpack(byte* quants, Vector512<byte> mask)
    {
        var v0 = Vector512.Load(quants);
        var v1 = Vector512.Load(quants + 64);
        var v2 = Vector512.Load(quants + 128);
        var v3 = Vector512.Load(quants + 192);
        var l0 = v0 & mask;
        var h0 = (v0.AsUInt16() >>> 4).AsByte() & mask;
        var l1 = v1 & mask;
        var h1 = (v1.AsUInt16() >>> 4).AsByte() & mask;
        var l2 = v2 & mask;
        var h2 = (v2.AsUInt16() >>> 4).AsByte() & mask;
        var l3 = v3 & mask;
        var h3 = (v3.AsUInt16() >>> 4).AsByte() & mask;
        if (TBlock.FifthBit)
        {
            // Byte 4r+j of the fifth-bit vector: bit k is quant 4k+j's, bit 4+k quant 16+4k+j's. Shifting 16-bit words by
            // at most 4 moves the wanted bit to bit 4 of its own byte; what crosses from the neighbour byte is masked off.
            var hb = Vector512.Load(quants + InterleavedRows.NibbleBytes).AsUInt16();
            var five = Vector512.Create((byte)0x10);
            l0 |= (hb << 4).AsByte() & five;
            h0 |= hb.AsByte() & five;
            l1 |= (hb << 3).AsByte() & five;
            h1 |= (hb >>> 1).AsByte() & five;
            l2 |= (hb << 2).AsByte() & five;
            h2 |= (hb >>> 2).AsByte() & five;
            l3 |= (hb << 1).AsByte() & five;
            h3 |= (hb >>> 3).AsByte() & five;
        }
        return (l0, h0, l1, h1, l2, h2, l3, h3);
    }

    /// <summary>
    /// Per row lane, Σ of the block's 32 quants × the 32 activation quants at <paramref name="a"/>. Pairwise i16 sums
    /// are added in i16 as far as they fit: |each| ≤ 2 · 15 · 127 for 4-bit quants (eight fit: 30,480 ≤ 32,767) and
    /// 2 · 31 · 127 for 5-bit ones (four fit: 31,496).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(Vector512<byte> l0, Vector512<byte> h0, Vector512<byte> l1, Vector512<byte> h1,
        Vector512<byte> l2, Vector512<byte> h2, Vector512<byte> l3, Vector512<byte> h3, sbyte* a)
    {
        var first = Avx512BW.MultiplyAddAdjacent(l0, Broadcast(a)) + Avx512BW.MultiplyAddAdjacent(h0, Broadcast(a + 16))
            + (Avx512BW.MultiplyAddAdjacent(l1, Broadcast(a + 4)) + Avx512BW.MultiplyAddAdjacent(h1, Broadcast(a + 20)));
        var second = Avx512BW.MultiplyAddAdjacent(l2, Broadcast(a + 8)) + Avx512BW.MultiplyAddAdjacent(h2, Broadcast(a + 24))
            + (Avx512BW.MultiplyAddAdjacent(l3, Broadcast(a + 12)) + Avx512BW.MultiplyAddAdjacent(h3, Broadcast(a + 28)));
        if (TBlock.FifthBit)
            return Avx512BW.MultiplyAddAdjacent(first, Vector512<short>.One) + Avx512BW.MultiplyAddAdjacent(second, Vector512<short>.One);
        return Avx512BW.MultiplyAddAdjacent(first + second, Vector512<short>.One);
    }

    /// <summary>Four activation quants repeated in every lane (one broadcast load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Broadcast(sbyte* a) => Vector512.Create(Unsafe.ReadUnaligned<int>(a)).AsSByte();

    /// <summary>The quants are stored <see cref="INibbleX16.Offset"/> above their value: that term comes off once, at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> acc, Vector512<float> offset) => acc - Vector512.Create(TBlock.Offset) * offset;
}
