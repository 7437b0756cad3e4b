namespace Spark.Engine.Tensors;

/// <summary>
/// bfloat16 ↔ F32 conversion with ggml's rounding (round to nearest even, NaN kept quiet).
/// </summary>
internal static class BFloat16Bits
{
    /// <summary>Widens a bfloat16 bit pattern to F32 (exact).</summary>
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Narrows an F32 to bfloat16, rounding to nearest even like ggml_compute_fp32_to_bf16.</summary>
    public static ushort FromSingle(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7fffffff) > 0x7f800000)
            return (ushort)((u >> 16) | 64);
        return (ushort)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
    }
}
