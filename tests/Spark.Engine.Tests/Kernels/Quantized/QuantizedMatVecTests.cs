using System.Buffers.Binary;
using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Tests.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Kernels.Quantized;

/// <summary>
/// The vector kernel paths against the scalar reference, and the reference against a float64 dot of the dequantized
/// operands. Float tolerance: the paths sum the same exact per-block integer dots, scaled in F32, in a different
/// order, so they may differ by rounding only: |vector − scalar| ≤ 1e-5 · Σ|wᵢ·xᵢ| (F32 epsilon is 6e-8; the
/// sums have up to a few thousand terms).
/// </summary>
public class QuantizedMatVecTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<GgmlType, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int>();
        foreach (var t in new[] { GgmlType.F32, GgmlType.F16, GgmlType.BF16 })
            foreach (int cols in new[] { 1, 7, 17, 4099 }) data.Add(t, cols);
        foreach (var t in new[] { GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1 })
            foreach (int cols in new[] { 32, 64, 96, 32 * 129 }) data.Add(t, cols); // odd block counts hit the 512-bit tail
        foreach (var t in new[] { GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K })
            foreach (int cols in new[] { 256, 768, 256 * 11 }) data.Add(t, cols);
        return data;
    }

    public static TheoryData<GgmlType> QuantizedTypes()
    {
        var data = new TheoryData<GgmlType>();
        foreach (var t in TensorTestData.SupportedTypes)
            if (GgmlTypeInfo.BlockSize(t) > 1) data.Add(t);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void VectorPaths_RandomBlocks_MatchScalarWithinRounding(GgmlType type, int cols)
    {
        const int rows = 5;
        var w = Weights(type, rows, cols, seed: cols + (int)type);
        var x = Activations(type, TensorTestData.Gaussian(cols, seed: cols * 3 + 1));
        var expected = new float[rows];
        KernelPaths.Scalar(type, w, cols, x, expected, rows);
        var magnitude = Magnitudes(type, w, cols, x, rows);
        foreach (var (name, run) in KernelPaths.Vector())
        {
            var y = new float[rows];
            run(type, w, cols, x, y, rows);
            for (int r = 0; r < rows; r++)
                Assert.True(Math.Abs(y[r] - expected[r]) <= Tolerance * magnitude[r] + 1e-30,
                    $"{name} {type} cols {cols} row {r}: {y[r]} vs scalar {expected[r]} (Σ|w·x| {magnitude[r]})");
        }
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void VectorPaths_ScalesOfOneAndSmallIntegers_EqualScalarExactly(GgmlType type)
    {
        // Unit scales and activations that quantize to themselves make every partial sum an integer below 2^24,
        // so any summation order gives the same F32: the integer dot products must agree to the last bit.
        int cols = GgmlTypeInfo.BlockSize(type) == 32 ? 32 * 7 : 256 * 3;
        const int rows = 3;
        var w = Weights(type, rows, cols, seed: 77 + (int)type);
        UnitScales(type, w);
        var values = new float[cols];
        var rng = new Random(5);
        for (int i = 0; i < cols; i++) values[i] = i % 32 == 0 ? 127 : rng.Next(-20, 21);
        var x = Activations(type, values);
        var expected = new float[rows];
        KernelPaths.Scalar(type, w, cols, x, expected, rows);
        foreach (var (name, run) in KernelPaths.Vector())
        {
            var y = new float[rows];
            run(type, w, cols, x, y, rows);
            for (int r = 0; r < rows; r++) Assert.True(expected[r] == y[r], $"{name} {type} row {r}: {y[r]} vs {expected[r]}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ScalarPath_QuantizedWeights_MatchesDoubleDotOfDequantizedOperands(GgmlType type, int cols)
    {
        const int rows = 3;
        var w = Weights(type, rows, cols, seed: cols * 7 + (int)type);
        var input = TensorTestData.Gaussian(cols, seed: cols + 11);
        var x = Activations(type, input);
        var rounded = new float[cols];
        ActivationRoundingReference.Round(ActivationRounding.For(type), input, new byte[ActivationRoundingReference.ScratchBytes(cols)], rounded);
        var y = new float[rows];
        KernelPaths.Scalar(type, w, cols, x, y, rows);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var deq = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            TensorDequantizer.Row(type, w.AsSpan(r * rowBytes, rowBytes), deq);
            double dot = 0, magnitude = 0;
            for (int i = 0; i < cols; i++)
            {
                dot += (double)deq[i] * rounded[i];
                magnitude += Math.Abs((double)deq[i] * rounded[i]);
            }
            Assert.True(Math.Abs(y[r] - dot) <= Tolerance * magnitude + 1e-30, $"{type} cols {cols} row {r}: {y[r]} vs {dot}");
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Avx2)]
    [InlineData(KernelPath.Avx512)]
    public void Multiply_RowRange_WritesOnlyThoseRows(KernelPath path)
    {
        if (!MatVecKernels.IsSupported(path)) return; // this CPU cannot run the path
        const int rows = 7, cols = 96;
        var w = Weights(GgmlType.Q4_0, rows, cols, seed: 3);
        var x = Activations(GgmlType.Q4_0, TensorTestData.Gaussian(cols, seed: 4));
        var all = new float[rows];
        KernelPaths.Scalar(GgmlType.Q4_0, w, cols, x, all, rows);
        var y = new float[rows];
        Array.Fill(y, float.NaN);
        MatVecKernels.For(path).Multiply(GgmlType.Q4_0, w, cols, x, 0, y, 2, 5);
        for (int r = 0; r < rows; r++)
        {
            if (r is >= 2 and < 5) Assert.Equal(all[r], y[r], 1e-4f);
            else Assert.True(float.IsNaN(y[r]), $"row {r} was written");
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Avx2)]
    [InlineData(KernelPath.Avx512)]
    public void Multiply_SecondBatchRow_UsesThatRowsActivations(KernelPath path)
    {
        if (!MatVecKernels.IsSupported(path)) return;
        const int rows = 4, cols = 512;
        var w = Weights(GgmlType.Q4_K, rows, cols, seed: 8);
        var batch = TensorTestData.Gaussian(2 * cols, seed: 9);
        var both = new QuantizedActivations(cols, maxRows: 2);
        both.Quantize(GgmlType.Q8_K, batch, 2, cols);
        var second = Activations(GgmlType.Q4_K, batch.AsSpan(cols).ToArray());
        var expected = new float[rows];
        var y = new float[rows];
        KernelPaths.Scalar(GgmlType.Q4_K, w, cols, second, expected, rows);
        MatVecKernels.For(path).Multiply(GgmlType.Q4_K, w, cols, both, 1, y, 0, rows);
        for (int r = 0; r < rows; r++) Assert.Equal(expected[r], y[r], 1e-3f);
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void Multiply_EachRowAlone_BitIdenticalToAllRowsAtOnce(GgmlType type)
    {
        // Kernels may process rows in pairs; a row's value must not depend on how rows are split (thread count).
        const int rows = 5;
        int cols = GgmlTypeInfo.BlockSize(type) == 32 ? 32 * 11 : 256 * 2;
        var w = Weights(type, rows, cols, seed: 21 + (int)type);
        var x = Activations(type, TensorTestData.Gaussian(cols, seed: 22));
        foreach (var path in new[] { KernelPath.Scalar, KernelPath.Avx2, KernelPath.Avx512 })
        {
            if (!MatVecKernels.IsSupported(path)) continue;
            var kernels = MatVecKernels.For(path);
            var together = new float[rows];
            kernels.Multiply(type, w, cols, x, 0, together, 0, rows);
            for (int r = 0; r < rows; r++)
            {
                var alone = new float[rows];
                kernels.Multiply(type, w, cols, x, 0, alone, r, r + 1);
                Assert.True(BitConverter.SingleToInt32Bits(together[r]) == BitConverter.SingleToInt32Bits(alone[r]),
                    $"{path} {type} row {r}: {alone[r]} alone vs {together[r]} with the others");
            }
        }
    }

    [Fact]
    public void Multiply_ActivationsOfTheWrongType_ThrowsNamingBoth()
    {
        var x = Activations(GgmlType.Q8_0, new float[256]);
        var ex = Assert.Throws<ArgumentException>(() =>
            MatVecKernels.Best.Multiply(GgmlType.Q4_K, new byte[144], 256, x, 0, new float[1], 0, 1));
        Assert.Contains("Q4_K rows of 256 columns need Q8_K activations", ex.Message);
        Assert.Contains("got Q8_0", ex.Message);
    }

    [Fact]
    public void Multiply_WeightsTooShort_ThrowsWithByteCounts()
    {
        var x = Activations(GgmlType.Q8_0, new float[64]);
        var ex = Assert.Throws<ArgumentException>(() =>
            MatVecKernels.Best.Multiply(GgmlType.Q8_0, new byte[34 * 3], 64, x, 0, new float[2], 0, 2));
        Assert.Contains("need 136 bytes but W has 102", ex.Message);
    }

    [Fact]
    public void For_Auto_PicksTheWidestSupportedPath()
    {
        var expected = MatVecKernels.IsSupported(KernelPath.Avx512) ? KernelPath.Avx512
            : MatVecKernels.IsSupported(KernelPath.Avx2) ? KernelPath.Avx2 : KernelPath.Scalar;
        Assert.Equal(expected, MatVecKernels.For(KernelPath.Auto).Path);
        Assert.Equal(KernelPath.Scalar, MatVecKernels.For(KernelPath.Scalar).Path);
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Avx2)]
    [InlineData(KernelPath.Avx512)]
    public void Multiply_AfterWarmUp_AllocatesNothing(KernelPath path)
    {
        if (!MatVecKernels.IsSupported(path)) return;
        var kernels = MatVecKernels.For(path);
        foreach (var type in TensorTestData.SupportedTypes)
        {
            int cols = GgmlTypeInfo.BlockSize(type) == 1 ? 1001 : 512;
            var w = Weights(type, 4, cols, seed: 12);
            var input = TensorTestData.Gaussian(cols, seed: 13);
            var x = new QuantizedActivations(cols);
            var activation = ActivationRounding.For(type);
            var y = new float[4];
            x.Quantize(activation, input);
            Assert.Equal(0, SteadyStateAllocations.Measure(() =>
            {
                for (int i = 0; i < 50; i++)
                {
                    x.Quantize(activation, input);
                    kernels.Multiply(type, w, cols, x, 0, y, 0, 4);
                }
            }));
        }
    }

    internal static QuantizedActivations Activations(GgmlType weightType, float[] values)
    {
        var x = new QuantizedActivations(values.Length);
        x.Quantize(ActivationRounding.For(weightType), values);
        return x;
    }

    /// <summary>Random rows: quantized Gaussians for the plain float types, random block bytes (finite scales) otherwise.</summary>
    internal static byte[] Weights(GgmlType type, int rows, int cols, int seed)
    {
        int bs = GgmlTypeInfo.BlockSize(type);
        if (bs > 1) return TensorTestData.RandomBlocks(type, rows * cols / bs, seed);
        var values = TensorTestData.Gaussian(rows * cols, seed);
        var w = new byte[GgmlTypeInfo.RowBytes(type, rows * cols)];
        TensorQuantizer.Row(type, values, w);
        return w;
    }

    /// <summary>Sets every weight scale (and min scale) to 1 (or 1/2 for the mins) so partial sums stay integers.</summary>
    internal static void UnitScales(GgmlType type, byte[] w)
    {
        int bytes = GgmlTypeInfo.BlockBytes(type);
        for (int at = 0; at < w.Length; at += bytes)
        {
            var block = w.AsSpan(at, bytes);
            switch (type)
            {
                case GgmlType.Q8_K: BinaryPrimitives.WriteSingleLittleEndian(block, 1f); break;
                case GgmlType.Q6_K: BinaryPrimitives.WriteHalfLittleEndian(block[208..], (Half)1); break;
                default:
                    BinaryPrimitives.WriteHalfLittleEndian(block, (Half)1);
                    if (type is GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K)
                        BinaryPrimitives.WriteHalfLittleEndian(block[2..], (Half)0.5);
                    break;
            }
        }
    }

    /// <summary>Σ|wᵢ·xᵢ| per row, from the dequantized weights and the rounded activations.</summary>
    internal static double[] Magnitudes(GgmlType type, byte[] w, int cols, QuantizedActivations x, int rows)
    {
        var rounded = new double[cols];
        bool quantized = GgmlTypeInfo.BlockSize(type) > 1;
        int block = x.Type == GgmlType.Q8_K ? 256 : 32;
        for (int i = 0; i < cols; i++)
            rounded[i] = quantized ? x.Quants[i] * (double)x.Scales[i / block] : x.Floats[i];
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var deq = new float[cols];
        var magnitude = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            TensorDequantizer.Row(type, w.AsSpan(r * rowBytes, rowBytes), deq);
            for (int i = 0; i < cols; i++) magnitude[r] += Math.Abs(deq[i] * rounded[i]);
        }
        return magnitude;
    }
}
