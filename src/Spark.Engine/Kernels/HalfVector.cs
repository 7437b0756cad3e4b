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

    /// <summary>16 F16 values to F32: the magnitude bits shifted into an F32 and rescaled by 2^112 (exact for normals and subnormals).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingle16(Vector256<ushort> half)
    {
        var h = Avx512F.ConvertToVector512UInt32(half);
        var sign = (h & Vector512.Create(0x8000u)) << 16;
        var magnitude = ((h & Vector512.Create(0x7FFFu)) << 13).AsSingle() * Vector512.Create(TwoPow112);
        return (magnitude.AsUInt32() | sign).AsSingle();
    }

    /// <summary>
    /// Each lane rounded to the nearest F16 value (ties to even), subnormals included, as <see cref="HalfRounding.Round"/>:
    /// scale so that 11 significant bits (or the 2^-24 subnormal grid) sit above the binary point, round to integer, scale back.
    /// Magnitudes beyond F16's range are not turned into infinities (the accumulator never gets there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> x)
    {
        var exponent = Avx512F.Max(Avx512F.GetExponent(x), Vector512.Create(-14f));
        var scaled = Avx512F.Scale(x, Vector512.Create(10f) - exponent);
        var rounded = Avx512F.RoundScale(scaled, 0x08); // integer, nearest-even, no precision exception
        return Avx512F.Scale(rounded, exponent - Vector512.Create(10f));
    }
}
