using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// One tensor of a synthetic model: its llama.cpp name, ggml-order dims (row length first), the type it is written
/// in and how its values are drawn (normal with <see cref="Mean"/>/<see cref="Std"/>, or fixed <see cref="Values"/>).
/// </summary>
internal sealed record SyntheticTensor(string Name, long[] Dims, GgmlType Type, float Mean, float Std, float[]? Values = null)
{
    /// <summary>Elements in a row (the first ggml dimension).</summary>
    public long RowLength => Dims[0];

    /// <summary>Number of rows.</summary>
    public long Rows => ElementCount / Dims[0];

    /// <summary>Number of elements.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>Bytes the tensor takes in <see cref="Type"/>.</summary>
    public long ByteSize => GgmlTypeInfo.RowBytes(Type, RowLength) * Rows;

    /// <summary>When the requested weight type could not be used for this tensor, why (else null).</summary>
    public string? Fallback { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dims)}]";
}
