namespace Spark.Engine.Tensors;

/// <summary>
/// Block geometry of ggml types: how many elements a block holds and how many bytes it takes.
/// </summary>
public static class GgmlTypeInfo
{
    /// <summary>Elements per k-quant super-block.</summary>
    public const int QK_K = 256;

    /// <summary>Elements per block of the 32-element quant types.</summary>
    public const int QK32 = 32;

    /// <summary>True when Spark can read tensors of this type.</summary>
    public static bool IsSupported(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or
        GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or
        GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => true,
        _ => false,
    };

    /// <summary>The types Spark can read, for error messages.</summary>
    public static string SupportedList => "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, Q8_K";

    /// <summary>True when the numeric value names a type whose block geometry Spark knows (readable or not).</summary>
    public static bool IsKnown(uint value) => Enum.IsDefined((GgmlType)value) && BlockBytes((GgmlType)value) > 0;

    /// <summary>Elements per block (1 for plain types).</summary>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 => QK32,
        GgmlType.IQ4_NL or GgmlType.MXFP4 => QK32,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K or
        GgmlType.IQ2_XXS or GgmlType.IQ2_XS or GgmlType.IQ3_XXS or GgmlType.IQ1_S or GgmlType.IQ3_S or
        GgmlType.IQ2_S or GgmlType.IQ4_XS or GgmlType.IQ1_M or GgmlType.TQ1_0 or GgmlType.TQ2_0 => QK_K,
        _ => 1,
    };

    /// <summary>Bytes per block (bytes per element for plain types); 0 for types ggml defines that Spark does not describe.</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        GgmlType.BF16 => 2,
        GgmlType.F64 => 8,
        GgmlType.I8 => 1,
        GgmlType.I16 => 2,
        GgmlType.I32 => 4,
        GgmlType.I64 => 8,
        GgmlType.Q4_0 => 2 + 16,
        GgmlType.Q4_1 => 2 + 2 + 16,
        GgmlType.Q5_0 => 2 + 4 + 16,
        GgmlType.Q5_1 => 2 + 2 + 4 + 16,
        GgmlType.Q8_0 => 2 + 32,
        GgmlType.Q8_1 => 4 + 4 + 32,
        GgmlType.Q2_K => 16 + 64 + 2 + 2,
        GgmlType.Q3_K => 32 + 64 + 12 + 2,
        GgmlType.Q4_K => 2 + 2 + 12 + 128,
        GgmlType.Q5_K => 2 + 2 + 12 + 32 + 128,
        GgmlType.Q6_K => 128 + 64 + 16 + 2,
        GgmlType.Q8_K => 4 + 256 + 32,
        GgmlType.IQ2_XXS => 66,
        GgmlType.IQ2_XS => 74,
        GgmlType.IQ3_XXS => 98,
        GgmlType.IQ1_S => 50,
        GgmlType.IQ4_NL => 18,
        GgmlType.IQ3_S => 110,
        GgmlType.IQ2_S => 82,
        GgmlType.IQ4_XS => 136,
        GgmlType.IQ1_M => 56,
        GgmlType.TQ1_0 => 54,
        GgmlType.TQ2_0 => 66,
        GgmlType.MXFP4 => 17,
        _ => 0,
    };

    /// <summary>
    /// Bytes taken by a row of <paramref name="elements"/> elements; throws when the count is not a whole number of blocks.
    /// </summary>
    public static long RowBytes(GgmlType type, long elements)
    {
        int bs = BlockSize(type);
        if (elements % bs != 0)
            throw new ArgumentException($"a row of {elements} elements is not a whole number of {type} blocks of {bs}");
        return elements / bs * BlockBytes(type);
    }
}
