using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// A Q4_0 matrix copied at load time into groups of <see cref="Rows"/> rows interleaved block by block, for
/// <see cref="Vector512Q4_0x16"/>. This is llama.cpp's "repack" idea in Spark's own layout: the file's layout puts one
/// row's blocks side by side, so a row's dot product ends in a horizontal sum and a prefill tile unpacks each row
/// separately; interleaved, sixteen rows share every vector instruction. The same bits are kept (F16 scales, 4-bit
/// quants), so decode reads as many bytes as before.
/// <para>
/// Layout: all quants first, then all scales. Group g, block b: 256 quant bytes at 256·(g·blocks + b), as four
/// 64-byte vectors; vector k's bytes 4r..4r+3 are bytes 4k..4k+3 of row r's block (their low nibbles are quants
/// 4k..4k+3, their high nibbles quants 16+4k..16+4k+3). Its sixteen F16 scales follow, row order, in the scale area.
/// </para>
/// Every row is computed by a whole-group kernel, also when a caller asks for part of a group, so a row's value never
/// depends on how the rows were split across threads or on batch size.
/// </summary>
internal sealed unsafe class InterleavedQ4_0
{
    /// <summary>Rows per group: one per F32 lane of a 512-bit vector.</summary>
    public const int Rows = 16;

    /// <summary>Quant bytes of one block of a group (sixteen rows × 16 bytes).</summary>
    public const int GroupBlockQuantBytes = Rows * 16;

    private const int Alignment = 64;

    private readonly byte[] _buffer; // pinned; the layout starts at the first 64-byte boundary
    private readonly int _start;
    private readonly int _blocks;
    private readonly long _scalesOffset;

    private InterleavedQ4_0(byte[] buffer, int start, int rowCount, int columns)
    {
        _buffer = buffer;
        _start = start;
        RowCount = rowCount;
        Columns = columns;
        _blocks = columns / Q4_0Block.Elements;
        _scalesOffset = (long)rowCount / Rows * _blocks * GroupBlockQuantBytes;
    }

    /// <summary>Rows of the matrix.</summary>
    public int RowCount { get; }

    /// <summary>Columns of the matrix.</summary>
    public int Columns { get; }

    /// <summary>True when a matrix of this type and shape can be interleaved (whole groups of rows, whole blocks).</summary>
    public static bool Fits(GgmlType type, int rows, int columns) =>
        type == GgmlType.Q4_0 && rows > 0 && rows % Rows == 0 && columns > 0 && columns % Q4_0Block.Elements == 0;

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="columns"/> Q4_0 columns into the interleaved layout.</summary>
    public static InterleavedQ4_0 Repack(ReadOnlySpan<byte> weights, int rows, int columns)
    {
        if (!Fits(GgmlType.Q4_0, rows, columns))
            throw new ArgumentException($"a Q4_0 matrix of {rows} × {columns} cannot be interleaved: rows must be a multiple of {Rows} " +
                $"and columns of {Q4_0Block.Elements}");
        int blocks = columns / Q4_0Block.Elements;
        long rowBytes = (long)blocks * Q4_0Block.Bytes;
        if (weights.Length < rows * rowBytes)
            throw new ArgumentException($"{rows} Q4_0 rows of {columns} columns need {rows * rowBytes} bytes, got {weights.Length}", nameof(weights));
        long groups = rows / Rows;
        long size = groups * blocks * (GroupBlockQuantBytes + 2L * Rows);
        var buffer = GC.AllocateUninitializedArray<byte>(checked((int)(size + Alignment)), pinned: true);
        int start = (int)((Alignment - ((nint)Unsafe.AsPointer(ref buffer[0]) & (Alignment - 1))) & (Alignment - 1));
        var packed = new InterleavedQ4_0(buffer, start, rows, columns);
        var quants = buffer.AsSpan(start);
        var scales = MemoryMarshal.Cast<byte, ushort>(buffer.AsSpan(start + (int)packed._scalesOffset));
        for (long g = 0; g < groups; g++)
            for (int b = 0; b < blocks; b++)
            {
                long at = (g * blocks + b) * GroupBlockQuantBytes;
                for (int r = 0; r < Rows; r++)
                {
                    var block = weights.Slice((int)((g * Rows + r) * rowBytes + (long)b * Q4_0Block.Bytes), Q4_0Block.Bytes);
                    scales[(int)((g * blocks + b) * Rows + r)] = (ushort)(block[0] | block[1] << 8);
                    for (int k = 0; k < 4; k++)
                        block.Slice(2 + 4 * k, 4).CopyTo(quants.Slice((int)(at + 64 * k + 4 * r), 4));
                }
            }
        return packed;
    }

    /// <summary>
    /// y[r] = row r · input row <paramref name="xRow"/> of <paramref name="x"/> (Q8_0) for r in [rowStart, rowEnd).
    /// </summary>
    public void Multiply(QuantizedActivations x, int xRow, Span<float> y, int rowStart, int rowEnd)
    {
        Validate(x, 1, rowStart, rowEnd);
        if (y.Length < rowEnd) throw new ArgumentException($"y has {y.Length} elements but rows up to {rowEnd} were requested", nameof(y));
        var pointers = x.Pointers(xRow);
        float* part = stackalloc float[Rows];
        fixed (byte* buffer = _buffer)
        fixed (float* py = y)
        {
            for (int g = rowStart / Rows; g * Rows < rowEnd; g++)
            {
                int first = g * Rows;
                bool whole = first >= rowStart && first + Rows <= rowEnd;
                Vector512Q4_0x16.Group(Quants(buffer, g), Scales(buffer, g), _blocks, pointers, whole ? py + first : part);
                if (!whole) CopyPart(part, 0, py, 0, first, rowStart, rowEnd);
            }
        }
    }

    /// <summary>
    /// y[t · <paramref name="yStride"/> + r] = row r · input row t for the first <paramref name="batch"/> input rows and
    /// r in [rowStart, rowEnd): exactly <see cref="Multiply"/> token by token, four tokens per pass over the weights.
    /// </summary>
    public void MultiplyBatch(QuantizedActivations x, int batch, Span<float> y, int yStride, int rowStart, int rowEnd)
    {
        Validate(x, batch, rowStart, rowEnd);
        if (yStride < rowEnd)
            throw new ArgumentOutOfRangeException(nameof(yStride), yStride, $"output rows of {yStride} cannot hold rows up to {rowEnd}");
        if ((long)(batch - 1) * yStride + rowEnd > y.Length)
            throw new ArgumentException($"y has {y.Length} elements, fewer than {batch} rows of {yStride}", nameof(y));
        const int tile = 4;
        float* part = stackalloc float[tile * Rows];
        fixed (byte* buffer = _buffer)
        fixed (float* py = y)
        {
            for (int g = rowStart / Rows; g * Rows < rowEnd; g++)
            {
                int first = g * Rows;
                bool whole = first >= rowStart && first + Rows <= rowEnd;
                byte* quants = Quants(buffer, g);
                short* scales = Scales(buffer, g);
                int t = 0;
                for (; t + tile <= batch; t += tile)
                {
                    float* at = py + (long)t * yStride;
                    if (whole) Vector512Q4_0x16.Tile(quants, scales, _blocks, x.Pointers(t), x.Stride, at + first, yStride);
                    else
                    {
                        Vector512Q4_0x16.Tile(quants, scales, _blocks, x.Pointers(t), x.Stride, part, Rows);
                        for (int i = 0; i < tile; i++) CopyPart(part, i * Rows, at, (long)i * yStride, first, rowStart, rowEnd);
                    }
                }
                for (; t < batch; t++)
                {
                    float* at = py + (long)t * yStride;
                    Vector512Q4_0x16.Group(quants, scales, _blocks, x.Pointers(t), whole ? at + first : part);
                    if (!whole) CopyPart(part, 0, at, 0, first, rowStart, rowEnd);
                }
            }
        }
    }

    private byte* Quants(byte* buffer, int group) => buffer + _start + (long)group * _blocks * GroupBlockQuantBytes;

    private short* Scales(byte* buffer, int group) => (short*)(buffer + _start + _scalesOffset) + (long)group * _blocks * Rows;

    /// <summary>Copies the rows of a computed group that fall in [rowStart, rowEnd) to their places in y.</summary>
    private static void CopyPart(float* part, int partOffset, float* y, long yOffset, int first, int rowStart, int rowEnd)
    {
        for (int r = Math.Max(first, rowStart); r < Math.Min(first + Rows, rowEnd); r++)
            y[yOffset + r] = part[partOffset + r - first];
    }

    private void Validate(QuantizedActivations x, int batch, int rowStart, int rowEnd)
    {
        if (x.Type != GgmlType.Q8_0 || x.Length != Columns)
            throw new ArgumentException($"Q4_0 rows of {Columns} columns need Q8_0 activations of that length, got {x.Type} × {x.Length}", nameof(x));
        if (batch < 1 || batch > x.Rows)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"the activations hold {x.Rows} rows");
        if (rowStart < 0 || rowEnd < rowStart || rowEnd > RowCount)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"row range [{rowStart}, {rowEnd}) is not within the {RowCount} rows");
    }
}
