using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// 512-bit row · activation dot products for the 32-element block types: two blocks per vector (an odd last block
/// goes through the 256-bit twin), integer products with vpmaddubsw + vpmaddwd (.NET exposes no 512-bit VNNI for
/// AVX-512 CPUs without AVX10), one F32 multiply-add per block pair. <see cref="ScalarQuantDot"/> is the reference.
/// </summary>
internal static unsafe class Vector512QuantDot
{
    /// <summary>Per i32 lane, Σ of four u8 × s8 products (pairwise i16 sums must not saturate: ggml's constraint).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> Dot(Vector512<byte> u, Vector512<sbyte> s) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s), Vector512<short>.One);

    /// <summary>|w| and a with w's sign, so that |w|·(±a) = w·a goes through the unsigned × signed dot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> SignedDot(Vector512<sbyte> w, Vector512<sbyte> a)
    {
        var negative = Vector512.LessThan(w, Vector512<sbyte>.Zero);
        return Dot(Avx512BW.Abs(w), (a ^ negative) - negative);
    }

    /// <summary>Two blocks' 16 packed nibble bytes each as 64 values: low nibbles then high nibbles per block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Nibbles(byte* first, byte* second) => Vector512.Create(
        Vector256QuantDot<MaddDot>.Nibbles(first), Vector256QuantDot<MaddDot>.Nibbles(second));

    /// <summary>Byte j is 0x10 when bit j of the 64-bit <paramref name="bits"/> is set (two blocks' fifth bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> FifthBits(ulong bits)
    {
        var spread = Avx512BW.Shuffle(Vector512.Create(bits).AsByte(), Vector512.Create(
            0L, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303,
            0x0404040404040404, 0x0505050505050505, 0x0606060606060606, 0x0707070707070707).AsByte());
        var set = Vector512.Equals(spread | Vector512.Create(0x7fbfdfeff7fbfdfe).AsByte(), Vector512<byte>.AllBitsSet);
        return set & Vector512.Create((byte)0x10);
    }

    /// <summary>acc + sum × (scale0 in lanes 0-7, scale1 in lanes 8-15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Scaled(Vector512<int> sum, float scale0, float scale1, Vector512<float> acc) =>
        Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum),
            Vector512.Create(Vector256.Create(scale0), Vector256.Create(scale1)), acc);

    public static float Q8_0(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector512<float>.Zero;
        sbyte* a = x.Quants;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, row += 2 * Q8_0Block.Bytes, a += 64)
        {
            var w = Vector512.Create(Vector256.Load((sbyte*)(row + 2)), Vector256.Load((sbyte*)(row + 2 + Q8_0Block.Bytes)));
            var p = SignedDot(w, Vector512.Load(a));
            acc = Scaled(p, Fp16.At(row) * x.Scales[b], Fp16.At(row + Q8_0Block.Bytes) * x.Scales[b + 1], acc);
        }
        float sum = Vector512.Sum(acc);
        if (b < blocks) sum += Vector256QuantDot<MaddDot>.Q8_0(row, Tail(x, b), 1);
        return sum;
    }

    public static float Q4_0(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector512<float>.Zero;
        float offset = 0;
        sbyte* a = x.Quants;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, row += 2 * Q4_0Block.Bytes, a += 64)
        {
            byte* next = row + Q4_0Block.Bytes;
            float d0 = Fp16.At(row), d1 = Fp16.At(next);
            var p = Dot(Nibbles(row + 2, next + 2), Vector512.Load(a));
            acc = Scaled(p, d0 * x.Scales[b], d1 * x.Scales[b + 1], acc);
            offset += d0 * x.ScaledSums[b] + d1 * x.ScaledSums[b + 1];
        }
        float sum = Vector512.Sum(acc) - 8 * offset;
        if (b < blocks) sum += Vector256QuantDot<MaddDot>.Q4_0(row, Tail(x, b), 1);
        return sum;
    }

    public static float Q4_1(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector512<float>.Zero;
        float mins = 0;
        sbyte* a = x.Quants;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, row += 2 * Q4_1Block.Bytes, a += 64)
        {
            byte* next = row + Q4_1Block.Bytes;
            var p = Dot(Nibbles(row + 4, next + 4), Vector512.Load(a));
            acc = Scaled(p, Fp16.At(row) * x.Scales[b], Fp16.At(next) * x.Scales[b + 1], acc);
            mins += Fp16.At(row + 2) * x.ScaledSums[b] + Fp16.At(next + 2) * x.ScaledSums[b + 1];
        }
        float sum = Vector512.Sum(acc) + mins;
        if (b < blocks) sum += Vector256QuantDot<MaddDot>.Q4_1(row, Tail(x, b), 1);
        return sum;
    }

    public static float Q5_0(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector512<float>.Zero;
        float offset = 0;
        sbyte* a = x.Quants;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, row += 2 * Q5_0Block.Bytes, a += 64)
        {
            byte* next = row + Q5_0Block.Bytes;
            float d0 = Fp16.At(row), d1 = Fp16.At(next);
            ulong qh = Unsafe.ReadUnaligned<uint>(row + 2) | (ulong)Unsafe.ReadUnaligned<uint>(next + 2) << 32;
            var p = Dot(Nibbles(row + 6, next + 6) | FifthBits(qh), Vector512.Load(a));
            acc = Scaled(p, d0 * x.Scales[b], d1 * x.Scales[b + 1], acc);
            offset += d0 * x.ScaledSums[b] + d1 * x.ScaledSums[b + 1];
        }
        float sum = Vector512.Sum(acc) - 16 * offset;
        if (b < blocks) sum += Vector256QuantDot<MaddDot>.Q5_0(row, Tail(x, b), 1);
        return sum;
    }

    public static float Q5_1(byte* row, in ActivationPointers x, int blocks)
    {
        var acc = Vector512<float>.Zero;
        float mins = 0;
        sbyte* a = x.Quants;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, row += 2 * Q5_1Block.Bytes, a += 64)
        {
            byte* next = row + Q5_1Block.Bytes;
            ulong qh = Unsafe.ReadUnaligned<uint>(row + 4) | (ulong)Unsafe.ReadUnaligned<uint>(next + 4) << 32;
            var p = Dot(Nibbles(row + 8, next + 8) | FifthBits(qh), Vector512.Load(a));
            acc = Scaled(p, Fp16.At(row) * x.Scales[b], Fp16.At(next) * x.Scales[b + 1], acc);
            mins += Fp16.At(row + 2) * x.ScaledSums[b] + Fp16.At(next + 2) * x.ScaledSums[b + 1];
        }
        float sum = Vector512.Sum(acc) + mins;
        if (b < blocks) sum += Vector256QuantDot<MaddDot>.Q5_1(row, Tail(x, b), 1);
        return sum;
    }

    /// <summary>The activations from block <paramref name="b"/> on, for the 256-bit twin to finish an odd block.</summary>
    private static ActivationPointers Tail(in ActivationPointers x, int b) =>
        new(x.Quants + 32 * b, x.Scales + b, x.Sums + b, x.ScaledSums + b, x.Sums16, x.Floats);
}
