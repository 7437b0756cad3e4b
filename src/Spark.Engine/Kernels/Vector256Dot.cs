using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels;

/// <summary>
/// AVX2/FMA dot product of one weight row (raw ggml blocks) with an F32 vector: quants are widened to 8×i32,
/// converted to F32 and fused-multiply-added against x, one block at a time with no scratch buffer.
/// Callers validate lengths; <see cref="ScalarDot"/> is the reference twin.
/// </summary>
internal static unsafe class Vector256Dot
{
    /// <summary>True when this machine has the AVX2 and FMA instructions these kernels use.</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Σ w[i]·x[i] over <paramref name="cols"/> elements of a row of <paramref name="type"/>.</summary>
    public static float Row(GgmlType type, byte* row, float* x, int cols) => type switch
    {
        GgmlType.F32 => F32((float*)row, x, cols),
        GgmlType.F16 => F16((ushort*)row, x, cols),
        GgmlType.BF16 => BF16((ushort*)row, x, cols),
        GgmlType.Q4_0 => Q4_0(row, x, cols / 32),
        GgmlType.Q4_1 => Q4_1(row, x, cols / 32),
        GgmlType.Q5_0 => Q5_0(row, x, cols / 32),
        GgmlType.Q5_1 => Q5_1(row, x, cols / 32),
        GgmlType.Q8_0 => Q8_0(row, x, cols / 32),
        GgmlType.Q4_K => Vector256KQuantDot.Q4K(row, x, cols / 256),
        GgmlType.Q5_K => Vector256KQuantDot.Q5K(row, x, cols / 256),
        GgmlType.Q6_K => Vector256KQuantDot.Q6K(row, x, cols / 256),
        GgmlType.Q8_K => Vector256KQuantDot.Q8K(row, x, cols / 256),
        _ => throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}"),
    };

    /// <summary>Eight bytes at p, zero-extended to i32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> WidenU8(byte* p) => Avx2.ConvertToVector256Int32(p);

    /// <summary>Eight i32 to F32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ToSingle(Vector256<int> v) => Avx.ConvertToVector256Single(v);

    /// <summary>acc + q·x[0..8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> MulAdd(Vector256<int> q, float* x, Vector256<float> acc) =>
        Fma.MultiplyAdd(ToSingle(q), Avx.LoadVector256(x), acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float HalfAt(byte* p) => (float)Unsafe.ReadUnaligned<Half>(p);

    private static float F32(float* w, float* x, int n)
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i), Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(w + i + 8), Avx.LoadVector256(x + i + 8), a1);
        }
        for (; i + 8 <= n; i += 8)
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i), Avx.LoadVector256(x + i), a0);
        float sum = Vector256.Sum(a0 + a1);
        for (; i < n; i++) sum += w[i] * x[i];
        return sum;
    }

    private static float F16(ushort* w, float* x, int n)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= n; i += 8)
            acc = Fma.MultiplyAdd(HalfToSingle(Avx2.ConvertToVector256Int32(w + i).AsUInt32()), Avx.LoadVector256(x + i), acc);
        float sum = Vector256.Sum(acc);
        for (; i < n; i++) sum += (float)BitConverter.UInt16BitsToHalf(w[i]) * x[i];
        return sum;
    }

    /// <summary>
    /// Eight F16 bit patterns (zero-extended to u32) to F32, exact for normals, subnormals, infinities and NaN. Normals,
    /// the common case, take the fields into F32's and rescale by 2^112; zeros, subnormals, infinities and NaN go
    /// through <see cref="HalfToSingleExact"/> (one compare decides: F16 weight rows call this per eight weights). The
    /// rescale must never see an F16 subnormal: as an F32 it is a subnormal operand, which costs a microcode assist on
    /// AMD Zen and made rows with subnormal block scales 1.5–2.5× slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> HalfToSingle(Vector256<uint> h)
    {
        var magnitude = h & Vector256.Create(0x7FFFu);
        // One unsigned compare flags exponent 0 (zeros too, which the exact path also gets right) and exponent 31.
        if (Vector256.GreaterThanAny(magnitude - Vector256.Create(0x0400u), Vector256.Create(0x77FFu)))
            return HalfToSingleExact(h);
        var value = (magnitude << 13).AsSingle() * Vector256.Create(BitConverter.Int32BitsToSingle(0x77800000)); // × 2^112
        return (value.AsUInt32() | (h & Vector256.Create(0x8000u)) << 16).AsSingle();
    }

    /// <summary>
    /// <see cref="HalfToSingle(Vector256{uint})"/> for eight F16 words: sign-extended, so the sign lands in bit 31 with
    /// the shift, and checked for subnormals and specials at 16 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> HalfToSingle(Vector128<short> words)
    {
        var magnitude = words.AsUInt16() & Vector128.Create((ushort)0x7FFF);
        if (Vector128.LessThanAny(magnitude - Vector128<ushort>.One, Vector128.Create((ushort)0x03FF))
            || Vector128.GreaterThanAny(magnitude, Vector128.Create((ushort)0x7BFF)))
            return HalfToSingleExact(Avx2.ConvertToVector256Int32(words.AsUInt16()).AsUInt32());
        var fields = (Avx2.ConvertToVector256Int32(words) << 13) & Vector256.Create(unchecked((int)0x8FFF_E000));
        return fields.AsSingle() * Vector256.Create(BitConverter.Int32BitsToSingle(0x77800000)); // × 2^112
    }

    /// <summary><see cref="HalfToSingle(Vector256{uint})"/> for any F16 bit patterns, subnormals and specials included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HalfToSingleExact(Vector256<uint> h)
    {
        var sign = (h & Vector256.Create(0x8000u)) << 16;
        var fields = (h & Vector256.Create(0x7FFFu)) << 13;
        var exponent = fields & Vector256.Create(0x0F80_0000u);
        // Rebias the exponent (+112); infinities and NaN take another +112 to reach F32's all-ones exponent.
        var bits = fields + Vector256.Create(0x3800_0000u)
            + (Vector256.Equals(exponent, Vector256.Create(0x0F80_0000u)) & Vector256.Create(0x3800_0000u));
        // Subnormals (and zero): 2^-14 · (1 + m/1024) − 2^-14 = m · 2^-24, both operands normal and the difference exact.
        var subnormal = Vector256.Equals(exponent, Vector256<uint>.Zero);
        var value = (bits + (subnormal & Vector256.Create(0x0080_0000u))).AsSingle()
            - (subnormal & Vector256.Create(0x3880_0000u)).AsSingle();
        return (value.AsUInt32() | sign).AsSingle();
    }

    private static float BF16(ushort* w, float* x, int n)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var f = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(w + i), 16).AsSingle();
            acc = Fma.MultiplyAdd(f, Avx.LoadVector256(x + i), acc);
        }
        float sum = Vector256.Sum(acc);
        for (; i < n; i++) sum += BFloat16Bits.ToSingle(w[i]) * x[i];
        return sum;
    }

    private static float Q4_0(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var eight = Vector256.Create(8);
        var low = Vector256.Create(0xF);
        for (int b = 0; b < blocks; b++, row += Q4_0Block.Bytes, x += 32)
        {
            var s = Vector256<float>.Zero;
            for (int j = 0; j < 16; j += 8)
            {
                var q = WidenU8(row + 2 + j);
                s = MulAdd((q & low) - eight, x + j, s);
                s = MulAdd((q >>> 4) - eight, x + 16 + j, s);
            }
            acc = Fma.MultiplyAdd(s, Vector256.Create(HalfAt(row)), acc);
        }
        return Vector256.Sum(acc);
    }

    private static float Q4_1(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create(0xF);
        for (int b = 0; b < blocks; b++, row += Q4_1Block.Bytes, x += 32)
        {
            var s = Vector256<float>.Zero;
            var sx = Vector256<float>.Zero;
            for (int j = 0; j < 16; j += 8)
            {
                var q = WidenU8(row + 4 + j);
                s = MulAdd(q & low, x + j, s);
                s = MulAdd(q >>> 4, x + 16 + j, s);
                sx += Avx.LoadVector256(x + j) + Avx.LoadVector256(x + 16 + j);
            }
            acc = Fma.MultiplyAdd(s, Vector256.Create(HalfAt(row)), acc);
            acc = Fma.MultiplyAdd(sx, Vector256.Create(HalfAt(row + 2)), acc);
        }
        return Vector256.Sum(acc);
    }

    /// <summary>The fifth bits of elements e0..e0+7 from a Q5 block's 32-bit qh, as 0 or 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> HighBits(uint qh, int e0)
    {
        var counts = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((uint)e0);
        var bits = Avx2.ShiftRightLogicalVariable(Vector256.Create(qh), counts) & Vector256.Create(1u);
        return (bits << 4).AsInt32();
    }

    private static float Q5_0(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var sixteen = Vector256.Create(16);
        var low = Vector256.Create(0xF);
        for (int b = 0; b < blocks; b++, row += Q5_0Block.Bytes, x += 32)
        {
            uint qh = Unsafe.ReadUnaligned<uint>(row + 2);
            var s = Vector256<float>.Zero;
            for (int j = 0; j < 16; j += 8)
            {
                var q = WidenU8(row + 6 + j);
                s = MulAdd(((q & low) | HighBits(qh, j)) - sixteen, x + j, s);
                s = MulAdd(((q >>> 4) | HighBits(qh, j + 16)) - sixteen, x + 16 + j, s);
            }
            acc = Fma.MultiplyAdd(s, Vector256.Create(HalfAt(row)), acc);
        }
        return Vector256.Sum(acc);
    }

    private static float Q5_1(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create(0xF);
        for (int b = 0; b < blocks; b++, row += Q5_1Block.Bytes, x += 32)
        {
            uint qh = Unsafe.ReadUnaligned<uint>(row + 4);
            var s = Vector256<float>.Zero;
            var sx = Vector256<float>.Zero;
            for (int j = 0; j < 16; j += 8)
            {
                var q = WidenU8(row + 8 + j);
                s = MulAdd((q & low) | HighBits(qh, j), x + j, s);
                s = MulAdd((q >>> 4) | HighBits(qh, j + 16), x + 16 + j, s);
                sx += Avx.LoadVector256(x + j) + Avx.LoadVector256(x + 16 + j);
            }
            acc = Fma.MultiplyAdd(s, Vector256.Create(HalfAt(row)), acc);
            acc = Fma.MultiplyAdd(sx, Vector256.Create(HalfAt(row + 2)), acc);
        }
        return Vector256.Sum(acc);
    }

    private static float Q8_0(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        for (int b = 0; b < blocks; b++, row += Q8_0Block.Bytes, x += 32)
        {
            var qs = (sbyte*)(row + 2);
            var s = MulAdd(Avx2.ConvertToVector256Int32(qs), x, Vector256<float>.Zero);
            s = MulAdd(Avx2.ConvertToVector256Int32(qs + 8), x + 8, s);
            s = MulAdd(Avx2.ConvertToVector256Int32(qs + 16), x + 16, s);
            s = MulAdd(Avx2.ConvertToVector256Int32(qs + 24), x + 24, s);
            acc = Fma.MultiplyAdd(s, Vector256.Create(HalfAt(row)), acc);
        }
        return Vector256.Sum(acc);
    }
}
