using Spark.Engine.Gguf;
using Spark.Engine.Models;
using Spark.Engine.Tensors;
using Spark.Engine.Tests.Tensors;
using Spark.Engine.Threading;
using Spark.Testing;

namespace Spark.Engine.Tests.Models;

public class MatMulJobTests
{
    [Theory]
    [InlineData(GgmlType.F32, 48, 37, 5)]
    [InlineData(GgmlType.F16, 64, 40, 3)]
    [InlineData(GgmlType.Q8_0, 96, 50, 7)]
    [InlineData(GgmlType.Q4_0, 64, 33, 1)]
    [InlineData(GgmlType.Q4_1, 96, 19, 8)]
    [InlineData(GgmlType.Q5_0, 64, 17, 5)]
    [InlineData(GgmlType.Q5_1, 128, 23, 8)]
    [InlineData(GgmlType.Q8_0, 256, 40, 8)]
    [InlineData(GgmlType.Q4_K, 256, 21, 4)]
    [InlineData(GgmlType.Q6_K, 512, 18, 6)]
    public void Execute_EachBatchRow_EqualsTheMatVecOfThatRow(GgmlType type, int cols, int rows, int batch)
    {
        using var dir = new TempDirectory();
        var values = TensorTestData.Gaussian(rows * cols, seed: rows + cols);
        var path = dir.File("w.gguf");
        new GgufWriter().AddTensor("w", type, [cols, rows], TestModels.Encode(type, values, cols)).WriteFile(path);
        using var file = GgufFile.Open(path);
        var m = new WeightMatrix(file, file.Tensors[0]);
        var x = TensorTestData.Gaussian(batch * cols, seed: 99);
        using var pool = new WorkerPool(2);

        var matMul = new MatMulJob(cols, maxBatch: 8);
        var y = new float[batch * rows];
        matMul.Set(x, batch, m, y);
        pool.Run(matMul.Rounding);
        pool.Run(matMul);

        var matVec = new MatVecJob(cols);
        var expected = new float[rows];
        for (int b = 0; b < batch; b++)
        {
            matVec.Set(x.AsSpan(b * cols, cols).ToArray(), m, expected);
            matVec.Execute(0, 1);
            Assert.Equal(expected, y.AsSpan(b * rows, rows).ToArray());
        }
    }

    [Fact]
    public void Set_BatchLargerThanMax_ThrowsNamingTheLimit()
    {
        using var dir = new TempDirectory();
        using var file = ZeroMatrixFile(dir);
        var m = new WeightMatrix(file, file.Tensors[0]);
        var job = new MatMulJob(32, maxBatch: 2);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => job.Set(new float[96], 3, m, new float[12]));
        Assert.Contains("1 to 2 rows", ex.Message);
    }

    [Fact]
    public void Execute_BeforeRounding_ThrowsSayingWhatToRunFirst()
    {
        using var dir = new TempDirectory();
        using var file = ZeroMatrixFile(dir);
        var m = new WeightMatrix(file, file.Tensors[0]);
        var job = new MatMulJob(32, maxBatch: 2);
        job.Set(new float[64], 2, m, new float[8]);
        var ex = Assert.Throws<InvalidOperationException>(() => job.Execute(0, 1));
        Assert.Contains("run Rounding", ex.Message);
        job.Rounding.Execute(0, 1);
        job.Execute(0, 1);
    }

    /// <summary>A file holding one 4 × 32 F32 matrix of zeros.</summary>
    private static GgufFile ZeroMatrixFile(TempDirectory dir)
    {
        var path = dir.File("w.gguf");
        new GgufWriter().AddTensor("w", GgmlType.F32, [32, 4], TestModels.Encode(GgmlType.F32, new float[128], 32)).WriteFile(path);
        return GgufFile.Open(path);
    }
}
