using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// One 32-element weight block type (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) as the block-dot drivers see it: its size, how
/// its quants dot with 32 activation quants, and how its offset or min enters the result. Static abstract members
/// let the JIT compile one specialised loop per type and instruction set.
/// </summary>
internal unsafe interface IBlock32
{
    /// <summary>Bytes per block.</summary>
    static abstract int Bytes { get; }

    /// <summary>The constant subtracted from each stored quant (8 for Q4_0, 16 for Q5_0), applied via activation sums.</summary>
    static abstract int Offset { get; }

    /// <summary>True when the block stores an F16 min m at byte 2 (value = d·q + m).</summary>
    static abstract bool HasMin { get; }

    /// <summary>Where the 16 bytes of packed nibbles start (the 4- and 5-bit types; unused for Q8_0).</summary>
    static abstract int NibblesOffset { get; }

    /// <summary>Where the 32 fifth bits start (Q5_0, Q5_1: bit j belongs to quant j), or −1 for types without them.</summary>
    static abstract int FifthBitsOffset { get; }

    /// <summary>Per i32 lane, Σ of four stored-quant × activation-quant products (offset not applied).</summary>
    static abstract Vector256<int> Dot<TDot>(byte* block, sbyte* a) where TDot : struct, IByteDot;

    /// <summary>
    /// One block's quants as the unsigned operand of the u8 × s8 dot: the stored quants, or |q| for the signed Q8_0
    /// (whose signs then go onto the activations). Split from <see cref="Dot{TDot}"/> so a batch kernel unpacks a
    /// block once for several activation rows.
    /// </summary>
    static abstract Vector256<byte> Unsigned(byte* block);

    /// <summary>The same for two consecutive blocks: lanes 0-7 the first, lanes 8-15 the second.</summary>
    static abstract Vector512<int> Dot2(byte* block, sbyte* a);

    /// <summary>
    /// Two consecutive blocks' quants as the unsigned operand of the u8 × s8 dot: the stored quants, or |q| for the
    /// signed Q8_0 (whose signs then go onto the activations, see <see cref="Vector512QuantTile"/>). Split from
    /// <see cref="Dot2"/> so a batch kernel unpacks a block once for several activation rows.
    /// </summary>
    static abstract Vector512<byte> Unsigned2(byte* block);
}

internal readonly unsafe struct Q8_0Dot : IBlock32
{
    public static int Bytes => Q8_0Block.Bytes;
    public static int Offset => 0;
    public static bool HasMin => false;
    public static int NibblesOffset => 0;
    public static int FifthBitsOffset => -1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot<TDot>(byte* block, sbyte* a) where TDot : struct, IByteDot
    {
        var w = Signed(block);
        return TDot.Dot(Avx2.Abs(w), Avx2.Sign(Avx.LoadVector256(a), w));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unsigned(byte* block) => Avx2.Abs(Signed(block));

    /// <summary>One block's signed quants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Signed(byte* block) => Avx.LoadVector256((sbyte*)(block + 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot2(byte* block, sbyte* a) =>
        Vector512QuantDot.SignedDot(Signed2(block), Vector512.Load(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Unsigned2(byte* block) => Avx512BW.Abs(Signed2(block));

    /// <summary>Two consecutive blocks' signed quants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Signed2(byte* block) => Vector512QuantDot.Join(block + 2, block + Q8_0Block.Bytes + 2).AsSByte();
}

internal readonly unsafe struct Q4_0Dot : IBlock32
{
    public static int Bytes => Q4_0Block.Bytes;
    public static int Offset => 8;
    public static bool HasMin => false;
    public static int NibblesOffset => 2;
    public static int FifthBitsOffset => -1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot<TDot>(byte* block, sbyte* a) where TDot : struct, IByteDot =>
        TDot.Dot(Unsigned(block), Avx.LoadVector256(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unsigned(byte* block) => Vector256QuantDot<MaddDot>.Nibbles(block + 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot2(byte* block, sbyte* a) => Vector512QuantDot.Dot(Unsigned2(block), Vector512.Load(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Unsigned2(byte* block) => Vector512QuantDot.Nibbles(block + 2, block + Q4_0Block.Bytes + 2);
}

internal readonly unsafe struct Q4_1Dot : IBlock32
{
    public static int Bytes => Q4_1Block.Bytes;
    public static int Offset => 0;
    public static bool HasMin => true;
    public static int NibblesOffset => 4;
    public static int FifthBitsOffset => -1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot<TDot>(byte* block, sbyte* a) where TDot : struct, IByteDot =>
        TDot.Dot(Unsigned(block), Avx.LoadVector256(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unsigned(byte* block) => Vector256QuantDot<MaddDot>.Nibbles(block + 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot2(byte* block, sbyte* a) => Vector512QuantDot.Dot(Unsigned2(block), Vector512.Load(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Unsigned2(byte* block) => Vector512QuantDot.Nibbles(block + 4, block + Q4_1Block.Bytes + 4);
}

internal readonly unsafe struct Q5_0Dot : IBlock32
{
    public static int Bytes => Q5_0Block.Bytes;
    public static int Offset => 16;
    public static bool HasMin => false;
    public static int NibblesOffset => 6;
    public static int FifthBitsOffset => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot<TDot>(byte* block, sbyte* a) where TDot : struct, IByteDot =>
        TDot.Dot(Unsigned(block), Avx.LoadVector256(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unsigned(byte* block) =>
        Vector256QuantDot<MaddDot>.Nibbles(block + 6) | Vector256QuantDot<MaddDot>.FifthBits(Unsafe.ReadUnaligned<uint>(block + 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot2(byte* block, sbyte* a) => Vector512QuantDot.Dot(Unsigned2(block), Vector512.Load(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Unsigned2(byte* block)
    {
        byte* next = block + Q5_0Block.Bytes;
        ulong qh = Unsafe.ReadUnaligned<uint>(block + 2) | (ulong)Unsafe.ReadUnaligned<uint>(next + 2) << 32;
        return Vector512QuantDot.Nibbles(block + 6, next + 6) | Vector512QuantDot.FifthBits(qh);
    }
}

internal readonly unsafe struct Q5_1Dot : IBlock32
{
    public static int Bytes => Q5_1Block.Bytes;
    public static int Offset => 0;
    public static bool HasMin => true;
    public static int NibblesOffset => 8;
    public static int FifthBitsOffset => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot<TDot>(byte* block, sbyte* a) where TDot : struct, IByteDot =>
        TDot.Dot(Unsigned(block), Avx.LoadVector256(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unsigned(byte* block) =>
        Vector256QuantDot<MaddDot>.Nibbles(block + 8) | Vector256QuantDot<MaddDot>.FifthBits(Unsafe.ReadUnaligned<uint>(block + 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot2(byte* block, sbyte* a) => Vector512QuantDot.Dot(Unsigned2(block), Vector512.Load(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Unsigned2(byte* block)
    {
        byte* next = block + Q5_1Block.Bytes;
        ulong qh = Unsafe.ReadUnaligned<uint>(block + 4) | (ulong)Unsafe.ReadUnaligned<uint>(next + 4) << 32;
        return Vector512QuantDot.Nibbles(block + 8, next + 8) | Vector512QuantDot.FifthBits(qh);
    }
}
