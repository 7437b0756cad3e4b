using Spark.Engine.Tensors;

namespace Spark.Engine.Kernels;

/// <summary>
/// y = W·x for a row-major weight matrix W of any supported ggml type (rows × cols) and an F32 vector x.
/// </summary>
internal static class MatVec
{
    /// <summary>
    /// Multiplies rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of W by x into y (y is indexed by row).
    /// </summary>
    public static void Multiply(GgmlType type, ReadOnlySpan<byte> weights, int cols,
        ReadOnlySpan<float> x, Span<float> y, int rowStart, int rowEnd)
    {
        int rowBytes = checked((int)GgmlTypeInfo.RowBytes(type, cols));
        float[] scratch = System.Buffers.ArrayPool<float>.Shared.Rent(cols);
        try
        {
            var row = scratch.AsSpan(0, cols);
            for (int r = rowStart; r < rowEnd; r++)
            {
                TensorDequantizer.Row(type, weights.Slice(r * rowBytes, rowBytes), row);
                y[r] = VectorMath.Dot(row, x);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
