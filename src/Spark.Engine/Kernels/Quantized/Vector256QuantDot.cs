using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// 256-bit row · activation dot products for the 32-element block types: one block per vector, integer products via
/// <typeparamref name="TDot"/>, then one F32 multiply-add per block with weight scale × activation scale. Unsigned
/// quants (Q4_x, Q5_x) are dotted as 0..15 / 0..31 and their offset or min is applied through the activation block
/// sums, as ggml's q8_1 does. <see cref="ScalarQuantDot"/> is the reference.
/// </summary>
internal static unsafe class Vector256QuantDot<TDot> where TDot : struct, IByteDot
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Nibbles(byte* p)
    {
        var raw = Sse2.LoadVector128(p);
        var high = Sse2.ShiftRightLogical(raw.AsUInt16(), 4).AsByte();
        return Vector256.Create(raw, high) & Vector256.Create((byte)0x0F);
    }

    /// <summary>ggml's bytes_from_bits_32: byte j is 0x10 when bit j of <paramref name="bits"/> is set, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> FifthBits(uint bits)
    {
        var spread = Avx2.Shuffle(Vector256.Create(bits).AsByte(),
            Vector256.Create(0L, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303).AsByte());
        var set = Vector256.Equals(spread | Vector256.Create(0x7fbfdfeff7fbfdfe).AsByte(), Vector256<byte>.AllBitsSet);
        return set & Vector256.Create((byte)0x10);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Scaled(Vector256<int> sum, float scale, Vector256<float> acc) =>
        Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Vector256.Create(scale), acc);

    public static float Q8_0(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b++, row += Q8_0Block.Bytes, a += 32)
        {
            var w = Avx.LoadVector256((sbyte*)(row + 2));
            var p = TDot.Dot(Avx2.Abs(w), Avx2.Sign(Avx.LoadVector256(a), w));
            acc = Scaled(p, Fp16.At(row) * x.Scales[b], acc);
        }
        return Vector256.Sum(acc);
    }

    public static float Q4_0(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        float offset = 0;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b++, row += Q4_0Block.Bytes, a += 32)
        {
            float d = Fp16.At(row);
            var p = TDot.Dot(Nibbles(row + 2), Avx.LoadVector256(a));
            acc = Scaled(p, d * x.Scales[b], acc);
            offset += d * x.ScaledSums[b];
        }
        return Vector256.Sum(acc) - 8 * offset;
    }

    public static float Q4_1(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        float mins = 0;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b++, row += Q4_1Block.Bytes, a += 32)
        {
            var p = TDot.Dot(Nibbles(row + 4), Avx.LoadVector256(a));
            acc = Scaled(p, Fp16.At(row) * x.Scales[b], acc);
            mins += Fp16.At(row + 2) * x.ScaledSums[b];
        }
        return Vector256.Sum(acc) + mins;
    }

    public static float Q5_0(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        float offset = 0;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b++, row += Q5_0Block.Bytes, a += 32)
        {
            float d = Fp16.At(row);
            var q = Nibbles(row + 6) | FifthBits(Unsafe.ReadUnaligned<uint>(row + 2));
            acc = Scaled(TDot.Dot(q, Avx.LoadVector256(a)), d * x.Scales[b], acc);
            offset += d * x.ScaledSums[b];
        }
        return Vector256.Sum(acc) - 16 * offset;
    }

    public static float Q5_1(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        float mins = 0;
        sbyte* a = x.Quants;
        for (int b = 0; b < blocks; b++, row += Q5_1Block.Bytes, a += 32)
        {
            var q = Nibbles(row + 8) | FifthBits(Unsafe.ReadUnaligned<uint>(row + 4));
            acc = Scaled(TDot.Dot(q, Avx.LoadVector256(a)), Fp16.At(row) * x.Scales[b], acc);
            mins += Fp16.At(row + 2) * x.ScaledSums[b];
        }
        return Vector256.Sum(acc) + mins;
    }
}
