using System.Runtime.CompilerServices;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// Branch-light F16 → F32 widening for the per-block scales. <c>(float)Half</c> is a software routine of a few
/// nanoseconds, which at one scale per 32 weights costs as much as the dot product itself.
/// </summary>
internal static unsafe class Fp16
{
    private const float TwoPow112 = 5.192296858534828e33f;

    /// <summary>Widens the F16 at <paramref name="p"/>; exact for normals, subnormals, infinities and NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float At(byte* p) => ToSingle(Unsafe.ReadUnaligned<ushort>(p));

    /// <inheritdoc cref="At"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort h)
    {
        uint magnitude = (uint)(h & 0x7FFF) << 13;
        // As an F32 bit pattern the shifted magnitude is the value × 2^-112 (subnormals included): rescale by 2^112.
        float value = BitConverter.UInt32BitsToSingle(magnitude) * TwoPow112;
        if ((h & 0x7C00) == 0x7C00) value = BitConverter.UInt32BitsToSingle(magnitude | 0x7F800000u);
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(value) | ((uint)(h & 0x8000) << 16));
    }
}
