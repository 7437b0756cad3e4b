using System.Runtime.Intrinsics;
using Spark.Engine.Kernels;
using Spark.Engine.Tensors;
using Spark.Engine.Tests.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Kernels;

public class MatVecTests
{
    /// <summary>Column counts per type: odd lengths for the plain types (vector tails), several blocks otherwise.</summary>
    public static TheoryData<GgmlType, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int>();
        foreach (var t in new[] { GgmlType.F32, GgmlType.F16, GgmlType.BF16 })
            foreach (int cols in new[] { 1, 7, 8, 17, 4099 }) data.Add(t, cols);
        foreach (var t in new[] { GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1 })
            foreach (int cols in new[] { 32, 96, 32 * 129 }) data.Add(t, cols);
        foreach (var t in new[] { GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K })
            foreach (int cols in new[] { 256, 768, 256 * 11 }) data.Add(t, cols);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_QuantizedRandomWeights_MatchesDequantizedDoubleDot(GgmlType type, int cols)
    {
        const int rows = 5;
        var (w, x, expected, scale) = Problem(type, rows, cols, seed: cols * 31 + (int)type);
        var y = new float[rows];
        MatVec.Multiply(type, w, cols, x, y, 0, rows);
        for (int r = 0; r < rows; r++)
            AssertClose(expected[r], y[r], scale[r], $"{type} cols {cols} row {r}");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ScalarDotRow_QuantizedRandomWeights_MatchesDequantizedDoubleDot(GgmlType type, int cols)
    {
        const int rows = 3;
        var (w, x, expected, scale) = Problem(type, rows, cols, seed: cols * 17 + (int)type);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        for (int r = 0; r < rows; r++)
        {
            float got = ScalarDot.Row(type, w.AsSpan(r * rowBytes, rowBytes), x);
            AssertClose(expected[r], got, scale[r], $"{type} cols {cols} row {r}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Vector256DotRow_RandomBlocks_MatchesScalarTwin(GgmlType type, int cols)
    {
        if (!Vector256Dot.IsSupported) return; // nothing to compare on CPUs without AVX2/FMA
        int bs = GgmlTypeInfo.BlockSize(type);
        var w = bs == 1
            ? QuantizedRow(type, TensorTestData.Gaussian(cols, seed: cols))
            : TensorTestData.RandomBlocks(type, cols / bs, seed: cols + (int)type);
        var x = TensorTestData.Gaussian(cols, seed: cols + 1);
        float scalar = ScalarDot.Row(type, w, x);
        var deq = new float[cols];
        TensorDequantizer.Row(type, w, deq);
        double magnitude = 0;
        for (int i = 0; i < cols; i++) magnitude += Math.Abs((double)deq[i] * x[i]);
        float simd;
        fixed (byte* pw = w)
        fixed (float* px = x)
            simd = Vector256Dot.Row(type, pw, px, cols);
        AssertClose(scalar, simd, magnitude, $"{type} cols {cols}");
    }

    [Fact]
    public void Multiply_RowRange_WritesOnlyThoseRows()
    {
        const int rows = 6, cols = 64;
        var (w, x, expected, scale) = Problem(GgmlType.Q4_0, rows, cols, seed: 5);
        var y = new float[rows];
        Array.Fill(y, float.NaN);
        MatVec.Multiply(GgmlType.Q4_0, w, cols, x, y, 2, 4);
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]) && float.IsNaN(y[4]) && float.IsNaN(y[5]));
        AssertClose(expected[2], y[2], scale[2], "row 2");
        AssertClose(expected[3], y[3], scale[3], "row 3");
    }

    [Theory]
    [MemberData(nameof(TensorTestData.AllTypes), MemberType = typeof(TensorTestData))]
    public void Multiply_AfterWarmUp_AllocatesNothing(GgmlType type)
    {
        const int rows = 4;
        int cols = GgmlTypeInfo.BlockSize(type) == 1 ? 1001 : 512;
        var (w, x, _, _) = Problem(type, rows, cols, seed: 9);
        var y = new float[rows];
        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 200; i++) MatVec.Multiply(type, w, cols, x, y, 0, rows);
        }));
    }

    [Theory]
    [MemberData(nameof(TensorTestData.AllTypes), MemberType = typeof(TensorTestData))]
    public void ScalarDotRow_AfterWarmUp_AllocatesNothing(GgmlType type)
    {
        int cols = GgmlTypeInfo.BlockSize(type) == 1 ? 1001 : 512;
        var (w, x, _, _) = Problem(type, 1, cols, seed: 10);
        float sink = 0;
        for (int i = 0; i < 500; i++) sink += ScalarDot.Row(type, w, x);
        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 200; i++) sink += ScalarDot.Row(type, w, x);
        }));
        Assert.False(float.IsNaN(sink));
    }

    [Fact]
    public void HalfToSingle_EveryF16BitPattern_MatchesHalfConversion()
    {
        if (!Vector256Dot.IsSupported) return;
        for (int start = 0; start < 65536; start += 8)
        {
            var bits = Vector256.Create(
                (uint)start, (uint)start + 1, (uint)start + 2, (uint)start + 3,
                (uint)start + 4, (uint)start + 5, (uint)start + 6, (uint)start + 7);
            var f = Vector256Dot.HalfToSingle(bits);
            var fromWords = Vector256Dot.HalfToSingle(Vector128.Narrow(bits.GetLower(), bits.GetUpper()).AsInt16());
            for (int k = 0; k < 8; k++)
            {
                float expected = (float)BitConverter.UInt16BitsToHalf((ushort)(start + k));
                foreach (float actual in new[] { f[k], fromWords[k] })
                {
                    bool same = float.IsNaN(expected) ? float.IsNaN(actual)
                        : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);
                    Assert.True(same, $"F16 0x{start + k:X4}: expected {expected}, got {actual}");
                }
            }
        }
    }

    [Fact]
    public void Fp16ToSingle_EveryF16BitPattern_MatchesHalfConversion()
    {
        for (int h = 0; h < 65536; h++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            float actual = Spark.Engine.Kernels.Quantized.Fp16.ToSingle((ushort)h);
            bool same = float.IsNaN(expected) ? float.IsNaN(actual)
                : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);
            Assert.True(same, $"F16 0x{h:X4}: expected {expected}, got {actual}");
        }
    }

    [Fact]
    public void Multiply_ZeroColumns_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            MatVec.Multiply(GgmlType.F32, [], 0, [], new float[1], 0, 1));
        Assert.Contains("at least one column", ex.Message);
    }

    [Fact]
    public void Multiply_UnsupportedType_ThrowsNotSupportedListingSupportedTypes()
    {
        var ex = Assert.Throws<NotSupportedException>(() =>
            MatVec.Multiply(GgmlType.Q2_K, new byte[84], 256, new float[256], new float[1], 0, 1));
        Assert.Contains("Q2_K", ex.Message);
        Assert.Contains(GgmlTypeInfo.SupportedList, ex.Message);
    }

    [Fact]
    public void Multiply_WeightsTooShort_ThrowsWithByteCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            MatVec.Multiply(GgmlType.Q8_0, new byte[34 * 3], 64, new float[64], new float[2], 0, 2));
        Assert.Contains("need 136 bytes but W has 102", ex.Message);
    }

    [Fact]
    public void Multiply_VectorShorterThanColumns_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            MatVec.Multiply(GgmlType.F32, new byte[4 * 8], 8, new float[7], new float[1], 0, 1));
        Assert.Contains("x has 7 elements but W has 8 columns", ex.Message);
    }

    [Fact]
    public void Multiply_OutputShorterThanRowEnd_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            MatVec.Multiply(GgmlType.F32, new byte[4 * 8], 4, new float[4], new float[1], 0, 2));
        Assert.Contains("y has 1 elements but rows up to 2 were requested", ex.Message);
    }

    private static byte[] QuantizedRow(GgmlType type, float[] values)
    {
        var q = new byte[GgmlTypeInfo.RowBytes(type, values.Length)];
        TensorQuantizer.Row(type, values, q);
        return q;
    }

    /// <summary>Random weights quantized to <paramref name="type"/>, a random x, and the expected y in double precision.</summary>
    private static (byte[] W, float[] X, double[] Expected, double[] Magnitude) Problem(GgmlType type, int rows, int cols, int seed)
    {
        var values = TensorTestData.Gaussian(rows * cols, seed);
        var w = QuantizedRow(type, values);
        var x = TensorTestData.Gaussian(cols, seed + 1);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var expected = new double[rows];
        var magnitude = new double[rows];
        var deq = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            TensorDequantizer.Row(type, w.AsSpan(r * rowBytes, rowBytes), deq);
            for (int i = 0; i < cols; i++)
            {
                expected[r] += (double)deq[i] * x[i];
                magnitude[r] += Math.Abs((double)deq[i] * x[i]);
            }
        }
        return (w, x, expected, magnitude);
    }

    /// <summary>F32 accumulation error grows with Σ|w·x|; 1e-5 of it is far above rounding noise and far below any layout bug.</summary>
    private static void AssertClose(double expected, double actual, double magnitude, string what)
    {
        double tolerance = 1e-5 * magnitude + 1e-6;
        Assert.True(Math.Abs(expected - actual) <= tolerance,
            $"{what}: expected {expected:G9}, got {actual:G9} (tolerance {tolerance:G3})");
    }
}
