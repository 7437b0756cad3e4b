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
        switch (type)
        {
            case GgmlType.F32:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source)[..destination.Length].CopyTo(destination);
                break;
            case GgmlType.F16:
                var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(source);
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)halves[i];
                break;
            default:
                throw new NotSupportedException($"tensor type {type} cannot be dequantized; supported: {GgmlTypeInfo.SupportedList}");
        }
    }
}
