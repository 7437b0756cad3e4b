using Spark.Engine.Tensors;

namespace Spark.Engine.Gguf;

/// <summary>
/// Where one tensor lives in a GGUF file. <see cref="Dimensions"/> are in ggml order: the first is the
/// contiguous row length (ne[0]), so a weight of shape [out, in] has Dimensions = { in, out }.
/// </summary>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(string name, GgmlType type, long[] dimensions, long fileOffset, long byteSize)
    {
        Name = name;
        Type = type;
        Dimensions = dimensions;
        FileOffset = fileOffset;
        ByteSize = byteSize;
    }

    /// <summary>The tensor's name, e.g. <c>blk.0.attn_q.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public GgmlType Type { get; }

    /// <summary>The dimensions in ggml order (ne[0] first).</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>The absolute byte offset of the tensor's data in the file.</summary>
    public long FileOffset { get; }

    /// <summary>The number of bytes of data.</summary>
    public long ByteSize { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dimensions) n *= d;
            return n;
        }
    }

    /// <summary>Elements per row (ne[0]).</summary>
    public long Columns => Dimensions.Count > 0 ? Dimensions[0] : 1;

    /// <summary>Rows: the product of every dimension after the first.</summary>
    public long Rows => Dimensions.Count > 0 ? ElementCount / Dimensions[0] : 1;

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}]";
}
