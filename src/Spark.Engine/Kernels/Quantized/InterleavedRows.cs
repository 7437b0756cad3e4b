using System.Runtime.CompilerServices;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// A Q4_0, Q5_0 or Q8_0 matrix copied at load time into groups of <see cref="Rows"/> rows interleaved block by block,
/// for <see cref="Vector512NibbleX16{TBlock}"/> and <see cref="Vector512Q8_0x16"/>. This is llama.cpp's "repack" idea
/// in Spark's own layout: the file's layout puts one row's blocks side by side, so a row's dot product ends in a
/// horizontal sum and a prefill tile unpacks each row separately; interleaved, sixteen rows share every vector
/// instruction. The same bits are kept (F16 scales, 4-, 5- or 8-bit quants), so decode reads as many bytes as before.
/// <para>
/// Layout: all quants first, then all scales. Group g, block b: its quant bytes at (g·blocks + b)·<c>QuantBytes</c>,
/// as 64-byte vectors in which bytes 4r..4r+3 belong to row r. Q4_0/Q5_0: four vectors; vector k holds bytes 4k..4k+3
/// of each row's packed nibbles (low nibbles quants 4k..4k+3, high nibbles quants 16+4k..16+4k+3); Q5_0 then one
/// vector of fifth bits, byte 4r+j holding in bit k quant 4k+j's and in bit 4+k quant 16+4k+j's. Q8_0: eight vectors,
/// vector k holding quants 4k..4k+3, each stored as w + 128 (w XOR 0x80). The sixteen F16 scales of the group block
/// follow in the scale area, row order.
/// </para>
/// Every row is computed by a whole-group kernel, also when a caller asks for part of a group, so a row's value never
/// depends on how the rows were split across threads or on batch size.
/// </summary>
internal sealed unsafe class InterleavedRows
{
    /// <summary>Rows per group: one per F32 lane of a 512-bit vector.</summary>
    public const int Rows = 16;

    /// <summary>Packed-nibble bytes of one Q4_0/Q5_0 group block (sixteen rows × 16 bytes).</summary>
    public const int NibbleBytes = Rows * 16;

    /// <summary>Fifth-bit bytes of one Q5_0 group block (sixteen rows × 4 bytes).</summary>
    public const int FifthBitBytes = Rows * 4;

    /// <summary>Quant bytes of one Q8_0 group block (sixteen rows × 32 bytes).</summary>
    public const int Q8Bytes = Rows * 32;

    private const int Alignment = 64;

    private readonly byte[] _buffer; // pinned; the layout starts at the first 64-byte boundary
    private readonly int _start;
    private readonly int _blocks;
    private readonly int _quantBytes;
    private readonly long _scalesOffset;

    private InterleavedRows(GgmlType type, byte[] buffer, int start, int rowCount, int columns)
    {
        Type = type;
        _buffer = buffer;
        _start = start;
        RowCount = rowCount;
        Columns = columns;
        _blocks = columns / 32;
        _quantBytes = QuantBytes(type);
        _scalesOffset = (long)rowCount / Rows * _blocks * _quantBytes;
    }

    /// <summary>The weight type: Q4_0, Q5_0 or Q8_0.</summary>
    public GgmlType Type { get; }

    /// <summary>Rows of the matrix.</summary>
    public int RowCount { get; }

    /// <summary>Columns of the matrix.</summary>
    public int Columns { get; }

    /// <summary>True when a matrix of this type and shape can be interleaved (whole groups of rows, whole blocks).</summary>
    public static bool Fits(GgmlType type, int rows, int columns) =>
        (type is GgmlType.Q4_0 or GgmlType.Q5_0 || type == GgmlType.Q8_0 && Vector512Q8_0x16.IsSupported)
        && rows > 0 && rows % Rows == 0 && columns > 0 && columns % 32 == 0
        && PackedBytes(type, rows, columns) + Alignment <= Array.MaxLength; // one array holds the copy

    private static long PackedBytes(GgmlType type, int rows, int columns) =>
        (long)(rows / Rows) * (columns / 32) * (QuantBytes(type) + 2L * Rows);

    private static int QuantBytes(GgmlType type) => type switch
    {
        GgmlType.Q4_0 => NibbleBytes,
        GgmlType.Q5_0 => NibbleBytes + FifthBitBytes,
        _ => Q8Bytes,
    };

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="columns"/> columns of <paramref name="type"/> into the interleaved layout.</summary>
    public static InterleavedRows Repack(GgmlType type, ReadOnlySpan<byte> weights, int rows, int columns)
    {
        if (!Fits(type, rows, columns))
            throw new ArgumentException($"a {type} matrix of {rows} × {columns} cannot be interleaved: the type must be Q4_0, Q5_0 or " +
                $"Q8_0 (Q8_0 needs AVX-VNNI), rows a multiple of {Rows}, columns of 32, and the copy under 2 GiB");
        int blocks = columns / 32;
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        long rowBytes = (long)blocks * blockBytes;
        if (weights.Length < rows * rowBytes)
            throw new ArgumentException($"{rows} {type} rows of {columns} columns need {rows * rowBytes} bytes, got {weights.Length}", nameof(weights));
        long groups = rows / Rows;
        var buffer = GC.AllocateUninitializedArray<byte>((int)(PackedBytes(type, rows, columns) + Alignment), pinned: true);
        int start = (int)((Alignment - ((nint)Unsafe.AsPointer(ref buffer[0]) & (Alignment - 1))) & (Alignment - 1));
        var packed = new InterleavedRows(type, buffer, start, rows, columns);
        fixed (byte* source = weights)
        {
            nint from = (nint)source, to = (nint)Unsafe.AsPointer(ref buffer[start]);
            // A model's matrices are copied as it loads: in parallel, a group of rows per step (bandwidth-bound).
            Parallel.For(0, (int)groups, g => packed.RepackGroup((byte*)from + g * Rows * rowBytes, rowBytes, blockBytes, (byte*)to, g));
        }
        return packed;
    }

    /// <summary>Group <paramref name="g"/>'s sixteen rows (starting at <paramref name="rows"/>) into the layout at <paramref name="to"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per load: tier-0 code would copy at a tenth of the speed
    private void RepackGroup(byte* rows, long rowBytes, int blockBytes, byte* to, int g)
    {
        ushort* scales = (ushort*)(to + _scalesOffset) + (long)g * _blocks * Rows;
        byte* quants = to + (long)g * _blocks * _quantBytes;
        for (int b = 0; b < _blocks; b++, quants += _quantBytes, scales += Rows)
            for (int r = 0; r < Rows; r++)
            {
                byte* block = rows + r * rowBytes + (long)b * blockBytes;
                scales[r] = Unsafe.ReadUnaligned<ushort>(block);
                uint* lane = (uint*)(quants + 4 * r); // vector k's lane r is lane[16 k]
                switch (Type)
                {
                    case GgmlType.Q8_0: // stored as w + 128, unsigned (see Vector512Q8_0x16)
                        for (int k = 0; k < 8; k++) lane[16 * k] = Unsafe.ReadUnaligned<uint>(block + 2 + 4 * k) ^ 0x8080_8080u;
                        break;
                    case GgmlType.Q4_0:
                        for (int k = 0; k < 4; k++) lane[16 * k] = Unsafe.ReadUnaligned<uint>(block + 2 + 4 * k);
                        break;
                    default:
                        for (int k = 0; k < 4; k++) lane[16 * k] = Unsafe.ReadUnaligned<uint>(block + 6 + 4 * k);
                        lane[16 * 4] = SpreadFifthBits(Unsafe.ReadUnaligned<uint>(block + 2));
                        break;
                }
            }
    }

    /// <summary>
    /// Q5_0's 32 fifth bits (bit j: quant j's) as a row's four bytes of the fifth-bit vector: byte j holds bits j, 4+j, …,
    /// 28+j, which are quants 4k+j (k = 0..3) then 16+4k+j, as the layout wants.
    /// </summary>
    private static uint SpreadFifthBits(uint bits)
    {
        uint spread = 0;
        for (int j = 0; j < 4; j++)
        {
            uint value = 0;
            for (int i = 0; i < 8; i++) value |= (bits >> (4 * i + j) & 1) << i;
            spread |= value << (8 * j);
        }
        return spread;
    }

    /// <summary>
    /// y[r] = row r · input row <paramref name="xRow"/> of <paramref name="x"/> (Q8_0) for r in [rowStart, rowEnd).
    /// </summary>
    public void Multiply(QuantizedActivations x, int xRow, Span<float> y, int rowStart, int rowEnd)
    {
        Validate(x, 1, rowStart, rowEnd);
        if (y.Length < rowEnd) throw new ArgumentException($"y has {y.Length} elements but rows up to {rowEnd} were requested", nameof(y));
        if (rowStart == rowEnd) return;
        var pointers = x.Pointers(xRow);
        float* part = stackalloc float[Rows];
        int wholeStart = (rowStart + Rows - 1) / Rows, wholeEnd = rowEnd / Rows; // groups inside the range
        fixed (byte* buffer = _buffer)
        fixed (float* py = y)
        {
            // Groups the range cuts (at most two) are computed whole into a scratch and copied.
            int firstCut = rowStart / Rows, lastCut = (rowEnd - 1) / Rows;
            if (firstCut < wholeStart || firstCut >= wholeEnd) Part(buffer, firstCut, pointers, part, py, rowStart, rowEnd);
            if (lastCut != firstCut && lastCut >= wholeEnd) Part(buffer, lastCut, pointers, part, py, rowStart, rowEnd);
            int half = Math.Max(0, wholeEnd - wholeStart) / 2;
            for (int g = wholeStart; g < wholeStart + half; g++)
                Group2(Quants(buffer, g), Scales(buffer, g), Quants(buffer, g + half), Scales(buffer, g + half), pointers,
                    py + g * Rows, py + (g + half) * Rows);
            if (wholeStart + 2 * half < wholeEnd)
                Group(Quants(buffer, wholeEnd - 1), Scales(buffer, wholeEnd - 1), pointers, py + (wholeEnd - 1) * Rows);
        }
    }

    /// <summary>Group <paramref name="g"/>, which the range cuts, computed whole into <paramref name="part"/>; its rows in range copied to y.</summary>
    private void Part(byte* buffer, int g, in ActivationPointers x, float* part, float* y, int rowStart, int rowEnd)
    {
        Group(Quants(buffer, g), Scales(buffer, g), x, part);
        CopyPart(part, 0, y, 0, g * Rows, rowStart, rowEnd);
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
        // Eight tokens per pass for the nibble types (their unpacking is shared); four for Q8_0, whose dot per token
        // shares nothing but the scales; then one at a time.
        int wide = Type == GgmlType.Q8_0 ? 4 : 8;
        float* part = stackalloc float[8 * Rows];
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
                for (int tile = wide; tile >= 4; tile /= 2)
                    for (; t + tile <= batch; t += tile)
                    {
                        float* at = py + (long)t * yStride;
                        if (whole) Tile(tile, quants, scales, x.Pointers(t), x.Stride, at + first, yStride);
                        else
                        {
                            Tile(tile, quants, scales, x.Pointers(t), x.Stride, part, Rows);
                            for (int i = 0; i < tile; i++) CopyPart(part, i * Rows, at, (long)i * yStride, first, rowStart, rowEnd);
                        }
                    }
                for (; t < batch; t++)
                {
                    float* at = py + (long)t * yStride;
                    Group(quants, scales, x.Pointers(t), whole ? at + first : part);
                    if (!whole) CopyPart(part, 0, at, 0, first, rowStart, rowEnd);
                }
            }
        }
    }

    private void Group(byte* quants, short* scales, in ActivationPointers x, float* y)
    {
        switch (Type)
        {
            case GgmlType.Q4_0: Vector512NibbleX16<Q4_0x16>.Group(quants, scales, _blocks, x, y); break;
            case GgmlType.Q5_0: Vector512NibbleX16<Q5_0x16>.Group(quants, scales, _blocks, x, y); break;
            default: Vector512Q8_0x16.Group(quants, scales, _blocks, x, y); break;
        }
    }

    private void Group2(byte* q0, short* s0, byte* q1, short* s1, in ActivationPointers x, float* y0, float* y1)
    {
        switch (Type)
        {
            case GgmlType.Q4_0: Vector512NibbleX16<Q4_0x16>.Group2(q0, s0, q1, s1, _blocks, x, y0, y1); break;
            case GgmlType.Q5_0: Vector512NibbleX16<Q5_0x16>.Group2(q0, s0, q1, s1, _blocks, x, y0, y1); break;
            default: Vector512Q8_0x16.Group2(q0, s0, q1, s1, _blocks, x, y0, y1); break;
        }
    }

    private void Tile(int tokens, byte* quants, short* scales, in ActivationPointers x, int stride, float* y, int yStride)
    {
        switch (Type)
        {
            case GgmlType.Q4_0 when tokens == 8: Vector512NibbleX16<Q4_0x16>.Tile8(quants, scales, _blocks, x, stride, y, yStride); break;
            case GgmlType.Q5_0 when tokens == 8: Vector512NibbleX16<Q5_0x16>.Tile8(quants, scales, _blocks, x, stride, y, yStride); break;
            case GgmlType.Q4_0: Vector512NibbleX16<Q4_0x16>.Tile(quants, scales, _blocks, x, stride, y, yStride); break;
            case GgmlType.Q5_0: Vector512NibbleX16<Q5_0x16>.Tile(quants, scales, _blocks, x, stride, y, yStride); break;
            default: Vector512Q8_0x16.Tile(quants, scales, _blocks, x, stride, y, yStride); break;
        }
    }

    private byte* Quants(byte* buffer, int group) => buffer + _start + (long)group * _blocks * _quantBytes;

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
            throw new ArgumentException($"{Type} rows of {Columns} columns need Q8_0 activations of that length, got {x.Type} × {x.Length}", nameof(x));
        if (batch < 1 || batch > x.Rows)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"the activations hold {x.Rows} rows");
        if (rowStart < 0 || rowEnd < rowStart || rowEnd > RowCount)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"row range [{rowStart}, {rowEnd}) is not within the {RowCount} rows");
    }
}
