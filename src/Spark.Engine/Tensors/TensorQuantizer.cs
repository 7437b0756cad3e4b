namespace Spark.Engine.Tensors;

/// <summary>
/// Converts F32 rows to any supported ggml type with ggml's reference quantizers (quantize_row_*_ref), so files
/// Spark writes round-trip like files ggml writes.
/// </summary>
internal static class TensorQuantizer
{
    /// <summary>
    /// Quantizes all of <paramref name="source"/> (a whole number of <paramref name="type"/> blocks) into the first
    /// <see cref="GgmlTypeInfo.RowBytes"/> bytes of <paramref name="destination"/>.
    /// </summary>
    public static void Row(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (!GgmlTypeInfo.IsSupported(type))
            throw new NotSupportedException($"tensor type {type} cannot be quantized; supported: {GgmlTypeInfo.SupportedList}");
        long need = GgmlTypeInfo.RowBytes(type, source.Length);
        if (destination.Length < need)
            throw new ArgumentException(
                $"quantizing {source.Length} elements to {type} needs {need} bytes but the destination has {destination.Length}",
                nameof(destination));

        switch (type)
        {
            case GgmlType.F32: PlainFloats.QuantizeF32(source, destination); break;
            case GgmlType.F16: PlainFloats.QuantizeF16(source, destination); break;
            case GgmlType.BF16: PlainFloats.QuantizeBF16(source, destination); break;
            case GgmlType.Q4_0: Q4_0Block.Quantize(source, destination); break;
            case GgmlType.Q4_1: Q4_1Block.Quantize(source, destination); break;
            case GgmlType.Q5_0: Q5_0Block.Quantize(source, destination); break;
            case GgmlType.Q5_1: Q5_1Block.Quantize(source, destination); break;
            case GgmlType.Q8_0: Q8_0Block.Quantize(source, destination); break;
            case GgmlType.Q4_K: Q4KBlock.Quantize(source, destination); break;
            case GgmlType.Q5_K: Q5KBlock.Quantize(source, destination); break;
            case GgmlType.Q6_K: Q6KBlock.Quantize(source, destination); break;
            case GgmlType.Q8_K: Q8KBlock.Quantize(source, destination); break;
            default:
                throw new NotSupportedException($"tensor type {type} cannot be quantized; supported: {GgmlTypeInfo.SupportedList}");
        }
    }
}
