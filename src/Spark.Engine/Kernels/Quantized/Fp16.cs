using System.Runtime.CompilerServices;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// Branch-light F16 → F32 widening for the per-block scales. <c>(float)Half</c> is a software routine of a few
/// nanoseconds, which at one scale per 32 weights costs as much as the dot product itself.
/// </summary>
internal static unsafe class Fp16
{
    private const float TwoPow112 = 5.192296858534828e33f;

    /// <summary>2^-24, the value of the smallest F16 subnormal.</summary>
    private const float TwoPowMinus24 = 5.9604645e-8f;

    /// <summary>Widens the F16 at <paramref name="p"/>; exact for normals, subnormals, infinities and NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float At(byte* p) => ToSingle(Unsafe.ReadUnaligned<ushort>(p));

    /// <inheritdoc cref="At"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort h)
    {
        uint magnitude = (uint)(h & 0x7FFF);
        float value;
        // Subnormals go through an int → float conversion: "the fields as an F32 × 2^112" would feed the multiply an F32
        // subnormal, which costs a microcode assist on AMD Zen. Q6_K's d is an F16 subnormal in most files (real and
        // synthetic), and that assist made Q6_K rows four times slower (docs/performance.md). Normals keep the multiply.
        if (magnitude - 1 < 0x03FF) value = (int)magnitude * TwoPowMinus24;
        else
        {
            value = BitConverter.UInt32BitsToSingle(magnitude << 13) * TwoPow112;
            if (magnitude >= 0x7C00) value = BitConverter.UInt32BitsToSingle(magnitude << 13 | 0x7F800000u);
        }
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(value) | ((uint)(h & 0x8000) << 16));
    }
}
