using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// A matvec's input vector converted once to the type ggml dots a weight row with (its "vec-dot type"): Q8_0 blocks
/// of 32 with their quant sums (ggml's q8_1 for Q4_1/Q5_1 is the same values plus the sum), Q8_K super-blocks of 256
/// with per-16 sums, or floats rounded through F16/BF16 for those weights (F32 unchanged). The rounding is what
/// llama.cpp does at run time on x86 — <see cref="RuntimeQ8_0"/> for Q8_0/q8_1, <see cref="TensorQuantizer"/>'s
/// quantize_row_q8_K_ref for Q8_K — so logits match llama.cpp's.
/// Buffers are allocated once for the widest input; <see cref="Quantize(GgmlType, ReadOnlySpan{float})"/> allocates nothing.
/// </summary>
internal sealed class QuantizedActivations
{
    private const int QK = 32, QKK = 256;

    /// <param name="maxColumns">The widest input vector.</param>
    /// <param name="maxRows">How many input vectors (a batch) it holds at once.</param>
    public QuantizedActivations(int maxColumns, int maxRows = 1)
    {
        if (maxColumns < 1) throw new ArgumentOutOfRangeException(nameof(maxColumns), maxColumns, "at least one column");
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "at least one row");
        Stride = (maxColumns + QKK - 1) / QKK * QKK;
        Capacity = maxColumns;
        MaxRows = maxRows;
        int padded = checked(Stride * maxRows);
        Quants = GC.AllocateArray<sbyte>(padded, pinned: true);
        NibbleQuants = GC.AllocateArray<sbyte>(padded, pinned: true);
        Scales = GC.AllocateArray<float>(padded / QK, pinned: true);
        Sums = GC.AllocateArray<int>(padded / QK, pinned: true);
        ScaledSums = GC.AllocateArray<float>(padded / QK, pinned: true);
        MinSums = GC.AllocateArray<float>(padded / QK, pinned: true);
        Sums16 = GC.AllocateArray<short>(padded / 16, pinned: true);
        Floats = GC.AllocateArray<float>(padded, pinned: true);
    }

    /// <summary>Values from one row to the next in <see cref="Quants"/> and <see cref="Floats"/> (a multiple of 256).</summary>
    public int Stride { get; }

    /// <summary>How many rows this buffer holds.</summary>
    public int MaxRows { get; }

    /// <summary>The widest input this buffer holds.</summary>
    public int Capacity { get; }

    /// <summary>The activation type of the current contents: F32, F16, BF16, Q8_0 or Q8_K.</summary>
    public GgmlType Type { get; private set; } = GgmlType.F32;

    /// <summary>Number of values per row currently held.</summary>
    public int Length { get; private set; }

    /// <summary>Number of rows currently held.</summary>
    public int Rows { get; private set; }

    /// <summary>Q8_0/Q8_K quants, in order.</summary>
    public sbyte[] Quants { get; }

    /// <summary>
    /// Q8_0 only: the quants reordered for 4-bit weights, four blocks at a time: the first 16 quants of each of the four,
    /// then the last 16 of each (a trailing group of fewer than four blocks stays in order). A packed 4-bit block holds
    /// quants j and j+16 in byte j, so four blocks' bytes, split into low and high nibbles, line up with these directly.
    /// </summary>
    public sbyte[] NibbleQuants { get; }

    /// <summary>
    /// The scale of each block: Q8_0's F16 d widened (one per 32), or Q8_K's F32 d (one per 256, packed at the start of
    /// each row's 32-per-block slots).
    /// </summary>
    public float[] Scales { get; }

    /// <summary>Σ quants of each 32 values (both Q8_0 and Q8_K): the offset term of Q4_0/Q4_1/Q5_x/Q4_K/Q5_K.</summary>
    public int[] Sums { get; }

    /// <summary>Q8_0 only: the F16 d · Σ quants of each block in F32: the term Q4_0/Q5_0 kernels factor their −8/−16 offset out with.</summary>
    public float[] ScaledSums { get; }

    /// <summary>
    /// Q8_0 only: ggml's q8_1 <c>s</c> (F32 d · Σ quants, rounded to F16), the term Q4_1/Q5_1 weights' minimum multiplies.
    /// </summary>
    public float[] MinSums { get; }

    /// <summary>Q8_K only: Σ quants of each 16 values (ggml's <c>bsums</c>).</summary>
    public short[] Sums16 { get; }

    /// <summary>F32/F16/BF16 activations: the values, rounded through the activation type.</summary>
    public float[] Floats { get; }

    /// <summary>Converts <paramref name="x"/> to <paramref name="activationType"/> (see <see cref="ActivationRounding.For"/>).</summary>
    public void Quantize(GgmlType activationType, ReadOnlySpan<float> x) => Quantize(activationType, x, 1, x.Length);

    /// <summary>
    /// Converts <paramref name="rows"/> packed input vectors of <paramref name="columns"/> values each (a batch) to
    /// <paramref name="activationType"/>.
    /// </summary>
    public void Quantize(GgmlType activationType, ReadOnlySpan<float> x, int rows, int columns)
    {
        Prepare(activationType, rows, columns);
        QuantizeRows(x, 0, rows);
    }

    /// <summary>
    /// Checks and sets the type and shape of the next contents without converting anything: the rows are then converted
    /// with <see cref="QuantizeRows"/>, which different threads may call for different rows.
    /// </summary>
    public void Prepare(GgmlType activationType, int rows, int columns)
    {
        if (columns > Capacity || columns < 1)
            throw new ArgumentException($"the input has {columns} values per row but the activation buffer holds 1 to {Capacity}", nameof(columns));
        if ((uint)(rows - 1) >= (uint)MaxRows)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"the activation buffer holds 1 to {MaxRows} rows");
        int block = activationType switch
        {
            GgmlType.Q8_0 => QK,
            GgmlType.Q8_K => QKK,
            GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 => 1,
            _ => throw new NotSupportedException($"activations cannot be held as {activationType}"),
        };
        if (columns % block != 0)
            throw new ArgumentException($"{activationType} activations need a multiple of {block} values, got {columns}", nameof(columns));
        Type = activationType;
        Length = columns;
        Rows = rows;
    }

    /// <summary>
    /// Converts rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of the packed input <paramref name="x"/>
    /// to the type and shape <see cref="Prepare"/> set.
    /// </summary>
    public void QuantizeRows(ReadOnlySpan<float> x, int rowStart, int rowEnd)
    {
        int columns = Length;
        if (rowStart < 0 || rowEnd < rowStart || rowEnd > Rows)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"rows [{rowStart}, {rowEnd}) are not within the {Rows} prepared");
        if (x.Length < (long)rowEnd * columns)
            throw new ArgumentException($"the input has {x.Length} values, fewer than {rowEnd} rows of {columns}", nameof(x));
        for (int r = rowStart; r < rowEnd; r++)
        {
            var row = x.Slice(r * columns, columns);
            int at = r * Stride;
            switch (Type)
            {
                case GgmlType.Q8_0: QuantizeQ8_0(row, at); break;
                case GgmlType.Q8_K: QuantizeQ8K(row, at); break;
                case GgmlType.F32: row.CopyTo(Floats.AsSpan(at)); break;
                case GgmlType.F16:
                    for (int i = 0; i < row.Length; i++) Floats[at + i] = (float)(Half)row[i];
                    break;
                default:
                    for (int i = 0; i < row.Length; i++) Floats[at + i] = BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(row[i]));
                    break;
            }
        }
    }

    /// <summary>Q8_0 blocks by llama.cpp's run-time rule (<see cref="RuntimeQ8_0"/>), with their sums.</summary>
    private void QuantizeQ8_0(ReadOnlySpan<float> x, int at)
    {
        for (int i = 0; i < x.Length / QK; i++)
        {
            int b = at / QK + i;
            var (d, sum) = RuntimeQ8_0.Block(x.Slice(i * QK, QK), Quants.AsSpan(b * QK, QK));
            float scale = (float)(Half)d;
            Scales[b] = scale;
            Sums[b] = sum;
            ScaledSums[b] = scale * sum;
            MinSums[b] = RuntimeQ8_0.MinSum(d, sum);
        }
        int blocks = x.Length / QK, first = at / QK;
        for (int g = 0; g < blocks; g += 4)
        {
            var source = Quants.AsSpan((first + g) * QK, Math.Min(4, blocks - g) * QK);
            var target = NibbleQuants.AsSpan((first + g) * QK, source.Length);
            if (blocks - g < 4)
            {
                source.CopyTo(target);
                continue;
            }
            for (int k = 0; k < 4; k++)
            {
                source.Slice(32 * k, 16).CopyTo(target.Slice(16 * k, 16));
                source.Slice(32 * k + 16, 16).CopyTo(target.Slice(64 + 16 * k, 16));
            }
        }
    }

    /// <summary>quantize_row_q8_K_ref: iscale = −127/max (max signed), q = min(127, nearest(iscale·x)), d = 1/iscale.</summary>
    private void QuantizeQ8K(ReadOnlySpan<float> x, int at)
    {
        for (int i = 0; i < x.Length / QKK; i++)
        {
            var xb = x.Slice(i * QKK, QKK);
            var qs = Quants.AsSpan(at + i * QKK, QKK);
            int scale = at / QK + i, sums = at / QK + 8 * i, sums16 = at / 16 + 16 * i;
            float max = 0, amax = 0;
            for (int j = 0; j < QKK; j++)
            {
                float ax = MathF.Abs(xb[j]);
                if (ax > amax) { amax = ax; max = xb[j]; }
            }
            if (amax == 0)
            {
                qs.Clear();
                Scales[scale] = 0;
            }
            else
            {
                float iscale = -127f / max;
                for (int j = 0; j < QKK; j++) qs[j] = (sbyte)Math.Min(127, KQuantSolver.NearestInt(iscale * xb[j]));
                Scales[scale] = 1 / iscale;
            }
            for (int g = 0; g < QKK / 16; g++)
            {
                int sum = 0;
                for (int j = 0; j < 16; j++) sum += qs[16 * g + j];
                Sums16[sums16 + g] = (short)sum;
            }
            for (int g = 0; g < QKK / QK; g++) Sums[sums + g] = Sums16[sums16 + 2 * g] + Sums16[sums16 + 2 * g + 1];
        }
    }

    /// <summary>Raw pointers to row <paramref name="row"/>'s part of the buffers (they are pinned for the object's lifetime).</summary>
    public unsafe ActivationPointers Pointers(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"the buffer holds {Rows} rows");
        int at = row * Stride;
        return new ActivationPointers(
            (sbyte*)Unsafe.AsPointer(ref Quants[at]), (sbyte*)Unsafe.AsPointer(ref NibbleQuants[at]), (float*)Unsafe.AsPointer(ref Scales[at / QK]),
            (int*)Unsafe.AsPointer(ref Sums[at / QK]), (float*)Unsafe.AsPointer(ref ScaledSums[at / QK]),
            (float*)Unsafe.AsPointer(ref MinSums[at / QK]),
            (short*)Unsafe.AsPointer(ref Sums16[at / 16]), (float*)Unsafe.AsPointer(ref Floats[at]));
    }
}

/// <summary>The buffers of a <see cref="QuantizedActivations"/>, as the kernels read them.</summary>
internal readonly unsafe struct ActivationPointers(sbyte* quants, sbyte* nibbleQuants, float* scales, int* sums, float* scaledSums, float* minSums, short* sums16, float* floats)
{
    public readonly sbyte* Quants = quants;
    public readonly sbyte* NibbleQuants = nibbleQuants;
    public readonly float* Scales = scales;
    public readonly int* Sums = sums;
    public readonly float* ScaledSums = scaledSums;
    public readonly float* MinSums = minSums;
    public readonly short* Sums16 = sums16;
    public readonly float* Floats = floats;
}
