using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spark.Engine.Kernels;

/// <summary>
/// F16 ⇄ F32 for the KV cache and the attention accumulator, 16 lanes at a time with AVX-512 (.NET exposes no
/// F16C/vcvtph2ps, so the conversion is done with integer and exponent arithmetic), with scalar twins.
/// </summary>
internal static class HalfVector
{
    /// <summary>2^112: moves an F16 exponent (bias 15) to F32's (bias 127).</summary>
    private const float TwoPow112 = 5.192296858534828e33f;

    /// <summary>True when the Vector512 paths run (AVX-512F).</summary>
    public static bool IsAccelerated => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>The F16 bits of <paramref name="x"/> rounded to nearest-even, saturated to ±65504 so the cache never holds infinities.</summary>
    public static ushort FromSingle(float x)
    {
        if (x > 65504f) x = 65504f;
        else if (x < -65504f) x = -65504f;
        return BitConverter.HalfToUInt16Bits((Half)x);
    }

    /// <summary>The value of F16 bits <paramref name="bits"/>.</summary>
    public static float ToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>Converts F16 bits to F32 (finite inputs; the cache stores no infinities).</summary>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source");
        int i = 0;
        if (IsAccelerated)
        {
            ref ushort s = ref MemoryMarshal.GetReference(source);
            ref float d = ref MemoryMarshal.GetReference(destination);
            for (; i + 16 <= source.Length; i += 16)
                ToSingle16(Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < source.Length; i++) destination[i] = ToSingle(source[i]);
    }

    /// <summary>2^112, the factor <see cref="ToSingleUnbiased"/> leaves out.</summary>
    public const float ExponentRebias = TwoPow112;

    /// <summary>
    /// Converts F16 bits to F32 values 2^112 times too small (the F16 fields moved into F32's, exponent not rebiased):
    /// exact, F16 subnormals becoming F32 subnormals, and one instruction per vector cheaper than the full conversion.
    /// Needs AVX-512 (<see cref="IsAccelerated"/>) and whole vectors of 16.
    /// </summary>
    public static void ToSingleUnbiased(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length || source.Length % 16 != 0 || !IsAccelerated)
            throw new ArgumentException("unbiased conversion takes whole vectors of 16 on AVX-512 into a long enough destination");
        ref ushort s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        var mask = Vector512.Create(unchecked((int)0x8FFF_E000));
        for (int i = 0; i < source.Length; i += 16)
        {
            var h = Avx512F.ConvertToVector512Int32(Vector256.LoadUnsafe(ref s, (nuint)i).AsInt16());
            ((h << 13) & mask).AsSingle().StoreUnsafe(ref d, (nuint)i);
        }
    }

    /// <summary>
    /// 16 F16 values to F32: sign-extended, shifted so the F16 exponent and mantissa sit in F32's fields (sign kept in
    /// bit 31), then rescaled by 2^112 — exact for normals and subnormals, four instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingle16(Vector256<ushort> half)
    {
        var h = Avx512F.ConvertToVector512Int32(half.AsInt16());
        return ((h << 13) & Vector512.Create(unchecked((int)0x8FFF_E000))).AsSingle() * Vector512.Create(TwoPow112);
    }

    /// <summary>
    /// Each lane rounded to F16 precision (11 significant bits, to nearest) by Veltkamp splitting: three instructions
    /// instead of a conversion round trip .NET does not expose. It equals an F16 store except on exact ties (either
    /// neighbour), below 2^-14 (F16 subnormals keep fewer bits) and past 65504 (no infinity) — differences of at most
    /// one F16 ulp at a rate far below the other rounding differences from llama.cpp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> RoundToHalfPrecision(Vector512<float> x)
    {
        var split = x * Vector512.Create(VeltkampFactor);
        return split - (split - x);
    }

    /// <summary>The scalar twin of <see cref="RoundToHalfPrecision(Vector512{float})"/> (the same three operations, so the same result).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToHalfPrecision(float x)
    {
        float split = x * VeltkampFactor;
        return split - (split - x);
    }

    /// <summary>2^13 + 1: splitting F32's 24-bit significand keeps its top 11 bits.</summary>
    private const float VeltkampFactor = 8193f;
}
