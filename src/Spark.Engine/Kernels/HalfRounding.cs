namespace Spark.Engine.Kernels;

/// <summary>
/// Rounds an F32 value to the nearest F16 value (ties to even) and back, as storing it in an F16 buffer would.
/// Values in F16's normal range take a bit-twiddling fast path; the rest go through <see cref="Half"/>.
/// </summary>
internal static class HalfRounding
{
    /// <summary>(float)(Half)x, faster.</summary>
    public static float Round(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        uint exponent = (bits >> 23) & 0xFF;
        // F16 normals have unbiased exponents −14…15 (F32 biased 113…142); keep 142 on the slow path, where rounding
        // up may overflow to infinity.
        if (exponent is < 113 or > 141) return (float)(Half)x;
        uint rounded = bits + 0x0FFFu + ((bits >> 13) & 1u);
        return BitConverter.UInt32BitsToSingle(rounded & 0xFFFF_E000u);
    }
}
