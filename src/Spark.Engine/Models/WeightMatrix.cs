using Spark.Engine.Gguf;
using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;

namespace Spark.Engine.Models;

/// <summary>
/// A 2-D weight tensor in the memory-mapped file: <see cref="Rows"/> output rows of <see cref="Columns"/> inputs.
/// </summary>
internal sealed class WeightMatrix
{
    private readonly GgufFile _file;
    private readonly GgufTensorInfo _info;
    private MatVecKernels _kernels = null!;
    private InterleavedRows? _interleaved;

    public WeightMatrix(GgufFile file, GgufTensorInfo info)
    {
        _file = file;
        _info = info;
        Rows = checked((int)info.Rows);
        Columns = checked((int)info.Columns);
        RowBytes = checked((int)GgmlTypeInfo.RowBytes(info.Type, Columns));
        Kernels = MatVecKernels.Best;
    }

    public string Name => _info.Name;
    public GgmlType Type => _info.Type;
    public int Rows { get; }
    public int Columns { get; }
    public int RowBytes { get; }

    /// <summary>
    /// The kernels <see cref="Multiply(QuantizedActivations, int, Span{float}, int, int)"/> runs (set once at load). With
    /// the 512-bit kernels a Q4_0, Q5_0 or Q8_0 matrix is also copied into <see cref="InterleavedRows"/>' layout, which its
    /// products then use.
    /// </summary>
    public MatVecKernels Kernels
    {
        get => _kernels;
        set
        {
            _kernels = value;
            _interleaved = value.Path == KernelPath.Avx512 && InterleavedRows.Fits(Type, Rows, Columns)
                ? _interleaved ?? InterleavedRows.Repack(Type, _file.GetTensorData(_info), Rows, Columns)
                : null;
        }
    }

    /// <summary>
    /// Row ranges handed to the products should start at multiples of this (a split elsewhere is correct, but computes
    /// the group of rows it cuts twice).
    /// </summary>
    public int RowGroup => _interleaved is null ? 1 : InterleavedRows.Rows;

    /// <summary>The type this matrix's input must be converted to (<see cref="ActivationRounding.For"/>).</summary>
    public GgmlType ActivationType => ActivationRounding.For(_info.Type);

    /// <summary>y[r] = row r · input row <paramref name="xRow"/> of <paramref name="x"/> for r in [rowStart, rowEnd).</summary>
    public void Multiply(QuantizedActivations x, int xRow, Span<float> y, int rowStart, int rowEnd)
    {
        if (_interleaved is not null) _interleaved.Multiply(x, xRow, y, rowStart, rowEnd);
        else Kernels.Multiply(_info.Type, _file.GetTensorData(_info), Columns, x, xRow, y, rowStart, rowEnd);
    }

    /// <summary>
    /// y[t · <paramref name="yStride"/> + r] = row r · input row t of <paramref name="x"/> for the first
    /// <paramref name="batch"/> input rows and r in [rowStart, rowEnd): the same numbers as <see cref="Multiply(QuantizedActivations, int, Span{float}, int, int)"/>
    /// row by row, faster where the kernels share a weight row across inputs.
    /// </summary>
    public void MultiplyBatch(QuantizedActivations x, int batch, Span<float> y, int yStride, int rowStart, int rowEnd)
    {
        if (_interleaved is not null) _interleaved.MultiplyBatch(x, batch, y, yStride, rowStart, rowEnd);
        else Kernels.MultiplyBatch(_info.Type, _file.GetTensorData(_info), Columns, x, batch, y, yStride, rowStart, rowEnd);
    }

    /// <summary>y[r] = row r · x for r in [rowStart, rowEnd), in exact F32 (no activation rounding).</summary>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y, int rowStart, int rowEnd) =>
        MatVec.Multiply(_info.Type, _file.GetTensorData(_info), Columns, x, y, rowStart, rowEnd);

    /// <summary>Dequantizes row <paramref name="row"/> into <paramref name="destination"/>.</summary>
    public void Row(int row, Span<float> destination)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"'{Name}' has {Rows} rows");
        TensorDequantizer.Row(_info.Type, _file.GetTensorData(_info).Slice(row * RowBytes, RowBytes), destination[..Columns]);
    }
}
