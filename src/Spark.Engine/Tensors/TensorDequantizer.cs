namespace Spark.Engine.Tensors;

/// <summary>
/// Converts rows of any supported ggml type to F32, exactly as ggml defines each block layout.
/// </summary>
internal static class TensorDequantizer
{
    /// <summary>
    /// Dequantizes <paramref name="destination"/>.Length elements from <paramref name="source"/>, which holds
    /// whole blocks of <paramref name="type"/>.
    /// </summary>
    public static void Row(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!GgmlTypeInfo.IsSupported(type))
            throw new NotSupportedException($"tensor type {type} cannot be dequantized; supported: {GgmlTypeInfo.SupportedList}");
        long need = GgmlTypeInfo.RowBytes(type, destination.Length);
        if (source.Length < need)
            throw new ArgumentException(
                $"dequantizing {destination.Length} {type} elements needs {need} bytes but the source has {source.Length}",
                nameof(source));

        switch (type)
        {
            case GgmlType.F32: PlainFloats.DequantizeF32(source, destination); break;
            case GgmlType.F16: PlainFloats.DequantizeF16(source, destination); break;
            case GgmlType.BF16: PlainFloats.DequantizeBF16(source, destination); break;
            case GgmlType.Q4_0: Q4_0Block.Dequantize(source, destination); break;
            case GgmlType.Q4_1: Q4_1Block.Dequantize(source, destination); break;
            case GgmlType.Q5_0: Q5_0Block.Dequantize(source, destination); break;
            case GgmlType.Q5_1: Q5_1Block.Dequantize(source, destination); break;
            case GgmlType.Q8_0: Q8_0Block.Dequantize(source, destination); break;
            case GgmlType.Q4_K: Q4KBlock.Dequantize(source, destination); break;
            case GgmlType.Q5_K: Q5KBlock.Dequantize(source, destination); break;
            case GgmlType.Q6_K: Q6KBlock.Dequantize(source, destination); break;
            case GgmlType.Q8_K: Q8KBlock.Dequantize(source, destination); break;
            default:
                throw new NotSupportedException($"tensor type {type} cannot be dequantized; supported: {GgmlTypeInfo.SupportedList}");
        }
    }
}
