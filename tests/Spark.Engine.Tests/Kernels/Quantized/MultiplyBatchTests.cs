using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Tests.Tensors;

namespace Spark.Engine.Tests.Kernels.Quantized;

/// <summary>
/// Prefill's batch kernels must give bit-for-bit what decoding gives token by token (same logits, whichever way a
/// prompt arrives), on every kernel path this CPU runs, for batches that fill whole tiles and leave tails.
/// </summary>
public class MultiplyBatchTests
{
    public static TheoryData<GgmlType, int, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int, int>();
        foreach (var t in new[] { GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1 })
            foreach (int cols in new[] { 32, 96, 32 * 14, 32 * 129 }) // 1, 3 (odd tail), 14 (half group), 129 blocks
                foreach (int batch in new[] { 4, 9 })
                    data.Add(t, cols, batch);
        foreach (var t in new[] { GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K })
            foreach (int batch in new[] { 5, 9 })
                data.Add(t, 256 * 3, batch);
        data.Add(GgmlType.F16, 512, 6);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyBatch_EveryPath_EqualsMultiplyTokenByTokenExactly(GgmlType type, int cols, int batch)
    {
        const int rows = 7;
        var w = QuantizedMatVecTests.Weights(type, rows, cols, seed: cols + batch + (int)type);
        var x = new QuantizedActivations(cols, batch);
        x.Quantize(ActivationRounding.For(type), TensorTestData.Gaussian(batch * cols, seed: cols * 5 + batch), batch, cols);
        foreach (var path in new[] { KernelPath.Scalar, KernelPath.Avx2, KernelPath.Avx512 })
        {
            if (!MatVecKernels.IsSupported(path)) continue;
            var kernels = MatVecKernels.For(path);
            const int yStride = rows + 3; // padded output rows: the kernel must write only [rowStart, rowEnd) of each
            var y = Enumerable.Repeat(float.NaN, batch * yStride).ToArray();
            kernels.MultiplyBatch(type, w, cols, x, batch, y, yStride, 1, rows);
            for (int t = 0; t < batch; t++)
            {
                var expected = new float[rows];
                kernels.Multiply(type, w, cols, x, t, expected, 1, rows);
                for (int r = 1; r < rows; r++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[r]) == BitConverter.SingleToInt32Bits(y[t * yStride + r]),
                        $"{path} {type} cols {cols} token {t} row {r}: batch {y[t * yStride + r]} vs token-by-token {expected[r]}");
                Assert.True(float.IsNaN(y[t * yStride]), $"{path} {type}: row 0 of token {t} is outside the range but was written");
                for (int r = rows; r < yStride; r++)
                    Assert.True(float.IsNaN(y[t * yStride + r]), $"{path} {type}: padding {r} of token {t} was written");
            }
        }
    }

    [Fact]
    public void MultiplyBatch_MoreTokensThanTheActivationsHold_ThrowsNamingTheCount()
    {
        var x = new QuantizedActivations(32, 2);
        x.Quantize(GgmlType.Q8_0, new float[64], 2, 32);
        var w = QuantizedMatVecTests.Weights(GgmlType.Q8_0, 2, 32, seed: 1);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            MatVecKernels.Best.MultiplyBatch(GgmlType.Q8_0, w, 32, x, 3, new float[6], 2, 0, 2));
        Assert.Contains("hold 2 rows", ex.Message);
    }
}
