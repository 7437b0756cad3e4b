using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels;

/// <summary>
/// y = W·x for a row-major weight matrix W of any supported ggml type (rows × cols) and an F32 vector x.
/// Each row's dot product is computed straight from its blocks (no dequantized copy), allocation-free.
/// </summary>
internal static unsafe class MatVec
{
    /// <summary>Chosen once: AVX2/FMA kernels when the CPU has them, the scalar twins otherwise.</summary>
    private static readonly bool UseVector256 = Vector256Dot.IsSupported;

    /// <summary>The name of the kernel path chosen at start-up ("avx2" or "scalar"), for reports and benchmarks.</summary>
    public static string PathName => UseVector256 ? "avx2" : "scalar";

    /// <summary>
    /// Multiplies rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of W by x into y (y is indexed by row).
    /// </summary>
    public static void Multiply(GgmlType type, ReadOnlySpan<byte> weights, int cols,
        ReadOnlySpan<float> x, Span<float> y, int rowStart, int rowEnd)
    {
        if (!GgmlTypeInfo.IsSupported(type))
            throw new NotSupportedException($"no matvec for tensor type {type}; supported: {GgmlTypeInfo.SupportedList}");
        if (cols <= 0)
            throw new ArgumentOutOfRangeException(nameof(cols), cols, "a matvec needs at least one column");
        int rowBytes = checked((int)GgmlTypeInfo.RowBytes(type, cols));
        if (rowStart < 0 || rowEnd < rowStart)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"row range [{rowStart}, {rowEnd}) is not valid");
        if (x.Length < cols)
            throw new ArgumentException($"x has {x.Length} elements but W has {cols} columns", nameof(x));
        if (y.Length < rowEnd)
            throw new ArgumentException($"y has {y.Length} elements but rows up to {rowEnd} were requested", nameof(y));
        if ((long)rowEnd * rowBytes > weights.Length)
            throw new ArgumentException(
                $"rows up to {rowEnd} of {cols} {type} columns need {(long)rowEnd * rowBytes} bytes but W has {weights.Length}",
                nameof(weights));

        x = x[..cols];
        if (!UseVector256)
        {
            for (int r = rowStart; r < rowEnd; r++)
                y[r] = ScalarDot.Row(type, weights.Slice(r * rowBytes, rowBytes), x);
            return;
        }
        fixed (byte* w = weights)
        fixed (float* px = x)
        {
            for (int r = rowStart; r < rowEnd; r++)
                y[r] = Vector256Dot.Row(type, w + (long)r * rowBytes, px, cols);
        }
    }
}
