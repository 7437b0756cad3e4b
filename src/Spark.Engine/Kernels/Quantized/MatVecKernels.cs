using System.Runtime.Intrinsics.X86;
using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels.Quantized;

/// <summary>
/// y = W·x for a quantized weight matrix W and an input already converted to W's activation type
/// (<see cref="QuantizedActivations"/>): per block an integer dot product of weight quants with activation quants,
/// scaled in float as ggml does. One instance per instruction set, chosen once (<see cref="For"/>).
/// </summary>
internal abstract unsafe class MatVecKernels
{
    /// <summary>The instruction set these kernels use.</summary>
    public abstract KernelPath Path { get; }

    /// <summary>A short name for logs and timing lines, e.g. <c>avx2+vnni</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The best kernels this CPU runs (what <see cref="KernelPath.Auto"/> picks).</summary>
    public static MatVecKernels Best { get; } = For(KernelPath.Auto);

    /// <summary>True when this CPU can run <paramref name="path"/>.</summary>
    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Auto or KernelPath.Scalar => true,
        KernelPath.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        KernelPath.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported && Avx2.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>The kernels for <paramref name="path"/>; throws <see cref="NotSupportedException"/> when this CPU lacks it.</summary>
    public static MatVecKernels For(KernelPath path)
    {
        if (path == KernelPath.Auto)
            path = IsSupported(KernelPath.Avx512) ? KernelPath.Avx512 : IsSupported(KernelPath.Avx2) ? KernelPath.Avx2 : KernelPath.Scalar;
        if (!IsSupported(path))
            throw new NotSupportedException(
                $"this CPU cannot run the {path.ToString().ToLowerInvariant()} kernels ({Required(path)} missing); " +
                $"choose {string.Join(", ", Supported())} or auto");
        return path switch
        {
            KernelPath.Avx512 => Avx512MatVecKernels.Instance,
            KernelPath.Avx2 => Avx2MatVecKernels.Instance,
            _ => ScalarMatVecKernels.Instance,
        };
    }

    private static IEnumerable<string> Supported()
    {
        foreach (var p in Enum.GetValues<KernelPath>())
            if (p != KernelPath.Auto && IsSupported(p)) yield return p.ToString().ToLowerInvariant();
    }

    private static string Required(KernelPath path) => path switch
    {
        KernelPath.Avx2 => "AVX2 and FMA",
        KernelPath.Avx512 => "AVX-512 F and BW",
        _ => "nothing",
    };

    /// <summary>
    /// Multiplies rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of W (<paramref name="type"/>,
    /// <paramref name="cols"/> columns) by input row <paramref name="xRow"/> of <paramref name="x"/> into y (indexed by row).
    /// </summary>
    public void Multiply(GgmlType type, ReadOnlySpan<byte> weights, int cols, QuantizedActivations x, int xRow, Span<float> y,
        int rowStart, int rowEnd)
    {
        int rowBytes = Validate(type, weights, cols, x, rowStart, rowEnd);
        if (y.Length < rowEnd)
            throw new ArgumentException($"y has {y.Length} elements but rows up to {rowEnd} were requested", nameof(y));
        if (rowStart == rowEnd) return;
        fixed (byte* w = weights)
        fixed (float* py = y)
            Rows(type, w + (long)rowStart * rowBytes, rowBytes, cols, x.Pointers(xRow), py + rowStart, rowEnd - rowStart);
    }

    /// <summary>Checks W, the activations and the row range; returns the bytes of one row of W.</summary>
    private static int Validate(GgmlType type, ReadOnlySpan<byte> weights, int cols, QuantizedActivations x, int rowStart, int rowEnd)
    {
        if (!GgmlTypeInfo.IsSupported(type))
            throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}");
        if (cols <= 0)
            throw new ArgumentOutOfRangeException(nameof(cols), cols, "a matvec needs at least one column");
        var activation = ActivationRounding.For(type);
        if (x.Type != activation || x.Length != cols)
            throw new ArgumentException(
                $"{type} rows of {cols} columns need {activation} activations of that length, got {x.Type} × {x.Length}", nameof(x));
        int rowBytes = checked((int)GgmlTypeInfo.RowBytes(type, cols));
        if (rowStart < 0 || rowEnd < rowStart)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"row range [{rowStart}, {rowEnd}) is not valid");
        if ((long)rowEnd * rowBytes > weights.Length)
            throw new ArgumentException(
                $"rows up to {rowEnd} of {cols} {type} columns need {(long)rowEnd * rowBytes} bytes but W has {weights.Length}",
                nameof(weights));
        return rowBytes;
    }

    /// <summary>
    /// Y = X·Wᵀ for rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of W and the first
    /// <paramref name="batch"/> input rows of <paramref name="x"/>: y[t · <paramref name="yStride"/> + r] = row r · input t.
    /// Gives exactly what <see cref="Multiply"/> gives token by token; kernels that can share a weight row's unpacking
    /// across tokens do (prefill).
    /// </summary>
    public void MultiplyBatch(GgmlType type, ReadOnlySpan<byte> weights, int cols, QuantizedActivations x, int batch, Span<float> y,
        int yStride, int rowStart, int rowEnd)
    {
        if (batch < 1 || batch > x.Rows)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"the activations hold {x.Rows} rows");
        if (yStride < rowEnd)
            throw new ArgumentOutOfRangeException(nameof(yStride), yStride, $"output rows of {yStride} cannot hold rows up to {rowEnd}");
        if ((long)(batch - 1) * yStride + rowEnd > y.Length)
            throw new ArgumentException($"y has {y.Length} elements, fewer than {batch} rows of {yStride}", nameof(y));
        if (batch == 1 || !HasBatchKernel(type))
        {
            for (int t = 0; t < batch; t++)
                Multiply(type, weights, cols, x, t, y.Slice(t * yStride, Math.Min(yStride, y.Length - t * yStride)), rowStart, rowEnd);
            return;
        }
        int rowBytes = Validate(type, weights, cols, x, rowStart, rowEnd);
        if (rowStart == rowEnd) return;
        fixed (byte* w = weights)
        fixed (float* py = y)
        {
            byte* first = w + (long)rowStart * rowBytes;
            int t = 0, tile = BatchTile, rows = rowEnd - rowStart;
            for (; t + tile <= batch; t += tile)
                BatchRows(type, first, rowBytes, cols, x.Pointers(t), x.Stride, py + (long)t * yStride + rowStart, yStride, rows);
            for (; t < batch; t++)
                Rows(type, first, rowBytes, cols, x.Pointers(t), py + (long)t * yStride + rowStart, rows);
        }
    }

    /// <summary>Tokens one <see cref="BatchRows"/> call takes.</summary>
    protected virtual int BatchTile => 1;

    /// <summary>True when <see cref="BatchRows"/> has a kernel of its own for <paramref name="type"/>.</summary>
    protected virtual bool HasBatchKernel(GgmlType type) => false;

    /// <summary>
    /// y[t · <paramref name="yStride"/> + r] = row r · input t for <see cref="BatchTile"/> inputs starting at
    /// <paramref name="x"/> (<paramref name="xStride"/> elements apart); inputs are validated.
    /// </summary>
    protected virtual void BatchRows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, int xStride, float* y,
        int yStride, int rows) =>
        Rows(type, w, rowBytes, cols, x, y, rows);

    /// <summary>y[r] = row r · x for <paramref name="rows"/> rows starting at <paramref name="w"/>; inputs are validated.</summary>
    protected abstract void Rows(GgmlType type, byte* w, int rowBytes, int cols, in ActivationPointers x, float* y, int rows);
}
