using System.Runtime.Intrinsics;
using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Tests.Tensors;

namespace Spark.Engine.Tests.Kernels.Quantized;

/// <summary>
/// Q4_0, Q5_0 and Q8_0 rows interleaved sixteen at a time (the 512-bit layout): the same values as the scalar reference within
/// rounding (exactly when every partial sum is an integer), prefill bit-for-bit equal to token-by-token decoding, and a
/// row's value independent of how the rows are split. These tests need AVX-512 (and AVX-VNNI for Q8_0) and return
/// early without it, as the other 512-bit kernel tests do.
/// </summary>
public class InterleavedRowsTests
{
    private static bool Supported => MatVecKernels.IsSupported(KernelPath.Avx512);

    private static bool Runs(GgmlType type) => Supported && InterleavedRows.Fits(type, 16, 32);

    private static readonly GgmlType[] Types = [GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0];

    public static TheoryData<GgmlType, int, int> Shapes()
    {
        var data = new TheoryData<GgmlType, int, int>();
        foreach (var type in Types)
        {
            data.Add(type, 16, 32);
            data.Add(type, 32, 96);
            data.Add(type, 48, 896);
            data.Add(type, 80, 96); // five groups: two pairs read together, one alone
            data.Add(type, 16, 32 * 129);
        }
        return data;
    }

    public static TheoryData<GgmlType> TypeData() => new(Types);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_RandomBlocks_MatchesScalarWithinRounding(GgmlType type, int rows, int cols)
    {
        if (!Runs(type)) return;
        var w = QuantizedMatVecTests.Weights(type, rows, cols, seed: rows + cols + (int)type);
        var x = QuantizedMatVecTests.Activations(type, TensorTestData.Gaussian(cols, seed: cols + 3));
        var expected = new float[rows];
        KernelPaths.Scalar(type, w, cols, x, expected, rows);
        var magnitude = QuantizedMatVecTests.Magnitudes(type, w, cols, x, rows);
        var y = new float[rows];
        InterleavedRows.Repack(type, w, rows, cols).Multiply(x, 0, y, 0, rows);
        for (int r = 0; r < rows; r++)
            Assert.True(Math.Abs(y[r] - expected[r]) <= 1e-5 * magnitude[r] + 1e-30,
                $"{type} cols {cols} row {r}: {y[r]} vs scalar {expected[r]} (Σ|w·x| {magnitude[r]})");
    }

    [Theory]
    [MemberData(nameof(TypeData))]
    public void Multiply_ScalesOfOneAndSmallIntegers_EqualsScalarExactly(GgmlType type)
    {
        // Integer partial sums below 2^24 make every order give the same F32: a misplaced quant or scale shows exactly.
        if (!Runs(type)) return;
        const int rows = 32, cols = 32 * 7;
        var w = QuantizedMatVecTests.Weights(type, rows, cols, seed: 91);
        QuantizedMatVecTests.UnitScales(type, w);
        var values = new float[cols];
        var rng = new Random(7);
        for (int i = 0; i < cols; i++) values[i] = i % 32 == 0 ? 127 : rng.Next(-20, 21);
        var x = QuantizedMatVecTests.Activations(type, values);
        var expected = new float[rows];
        KernelPaths.Scalar(type, w, cols, x, expected, rows);
        var y = new float[rows];
        InterleavedRows.Repack(type, w, rows, cols).Multiply(x, 0, y, 0, rows);
        for (int r = 0; r < rows; r++) Assert.True(expected[r] == y[r], $"{type} row {r}: {y[r]} vs {expected[r]}");
    }

    public static TheoryData<GgmlType, int, int, int> Batches()
    {
        var data = new TheoryData<GgmlType, int, int, int>();
        foreach (var type in Types)
        {
            data.Add(type, 4, 0, 32);
            data.Add(type, 9, 0, 80);
            data.Add(type, 4, 16, 80); // four whole groups: two pairs
            data.Add(type, 9, 5, 27); // starts and ends inside groups
            data.Add(type, 13, 5, 27); // a tile of eight, one of four and a single token
            data.Add(type, 1, 17, 18);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void MultiplyBatch_EqualsMultiplyTokenByTokenExactly_WritingOnlyTheRange(GgmlType type, int batch, int rowStart, int rowEnd)
    {
        if (!Runs(type)) return;
        const int rows = 80, cols = 32 * 28, yStride = rows + 3; // five groups: decode reads two pairs, then one
        var w = QuantizedMatVecTests.Weights(type, rows, cols, seed: batch + rowStart + (int)type);
        var x = new QuantizedActivations(cols, batch);
        x.Quantize(GgmlType.Q8_0, TensorTestData.Gaussian(batch * cols, seed: 5 + batch), batch, cols);
        var packed = InterleavedRows.Repack(type, w, rows, cols);
        var y = Enumerable.Repeat(float.NaN, batch * yStride).ToArray();
        packed.MultiplyBatch(x, batch, y, yStride, rowStart, rowEnd);
        for (int t = 0; t < batch; t++)
        {
            var expected = Enumerable.Repeat(float.NaN, rows).ToArray();
            packed.Multiply(x, t, expected, rowStart, rowEnd);
            for (int r = 0; r < yStride; r++)
            {
                float got = y[t * yStride + r];
                if (r < rowStart || r >= rowEnd) Assert.True(float.IsNaN(got), $"token {t} row {r} is outside [{rowStart}, {rowEnd}) but was written");
                else Assert.True(BitConverter.SingleToInt32Bits(expected[r]) == BitConverter.SingleToInt32Bits(got),
                    $"{type} token {t} row {r}: batch {got} vs token-by-token {expected[r]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TypeData))]
    public void Multiply_EachRowAlone_BitIdenticalToAllRowsAtOnce(GgmlType type)
    {
        if (!Runs(type)) return;
        const int rows = 80, cols = 32 * 11;
        var w = QuantizedMatVecTests.Weights(type, rows, cols, seed: 33);
        var x = QuantizedMatVecTests.Activations(type, TensorTestData.Gaussian(cols, seed: 34));
        var packed = InterleavedRows.Repack(type, w, rows, cols);
        var together = new float[rows];
        packed.Multiply(x, 0, together, 0, rows);
        for (int r = 0; r < rows; r++)
        {
            var alone = Enumerable.Repeat(float.NaN, rows).ToArray();
            packed.Multiply(x, 0, alone, r, r + 1);
            Assert.True(BitConverter.SingleToInt32Bits(together[r]) == BitConverter.SingleToInt32Bits(alone[r]),
                $"{type} row {r}: {alone[r]} alone vs {together[r]} with the others");
            Assert.Equal(rows - 1, alone.Count(float.IsNaN));
        }
    }

    [Fact]
    public void Repack_RowsNotAMultipleOfTheGroup_ThrowsNamingTheRule()
    {
        var ex = Assert.Throws<ArgumentException>(() => InterleavedRows.Repack(GgmlType.Q4_0, new byte[18 * 20], 20, 32));
        Assert.Contains("multiple of 16", ex.Message);
        Assert.False(InterleavedRows.Fits(GgmlType.Q4_0, 20, 32));
        Assert.False(InterleavedRows.Fits(GgmlType.Q4_K, 16, 256));
        // A copy one array cannot hold (a 16K-wide vocabulary projection of a very large model) stays in the file layout.
        Assert.False(InterleavedRows.Fits(GgmlType.Q4_0, 16 * 1_000_000, 32 * 512));
        Assert.Equal(Vector512Q8_0x16.IsSupported, InterleavedRows.Fits(GgmlType.Q8_0, 16, 32));
    }

    [Fact]
    public void Multiply_ActivationsOfTheWrongTypeOrLength_ThrowsNamingBoth()
    {
        var packed = InterleavedRows.Repack(GgmlType.Q4_0, QuantizedMatVecTests.Weights(GgmlType.Q4_0, 16, 64, seed: 1), 16, 64);
        var x = QuantizedMatVecTests.Activations(GgmlType.Q4_K, new float[256]);
        var ex = Assert.Throws<ArgumentException>(() => packed.Multiply(x, 0, new float[16], 0, 16));
        Assert.Contains("need Q8_0 activations", ex.Message);
        Assert.Contains("got Q8_K × 256", ex.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() =>
            packed.Multiply(QuantizedMatVecTests.Activations(GgmlType.Q4_0, new float[64]), 0, new float[32], 0, 17));
        Assert.Contains("within the 16 rows", range.Message);
    }

    [Fact]
    public void MultiplyBatch_BadBatchOrOutput_ThrowsNamingTheLimit()
    {
        var packed = InterleavedRows.Repack(GgmlType.Q4_0, QuantizedMatVecTests.Weights(GgmlType.Q4_0, 16, 64, seed: 2), 16, 64);
        var x = new QuantizedActivations(64, 2);
        x.Quantize(GgmlType.Q8_0, new float[128], 2, 64);
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => packed.MultiplyBatch(x, 3, new float[48], 16, 0, 16));
        Assert.Contains("the activations hold 2 rows", batch.Message);
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => packed.MultiplyBatch(x, 2, new float[48], 8, 0, 16));
        Assert.Contains("output rows of 8 cannot hold rows up to 16", stride.Message);
        var output = Assert.Throws<ArgumentException>(() => packed.MultiplyBatch(x, 2, new float[20], 16, 0, 16));
        Assert.Contains("y has 20 elements, fewer than 2 rows of 16", output.Message);
    }

    [Fact]
    public void HalfToSingle_EveryF16BitPattern_MatchesHalfConversion()
    {
        if (!Supported) return;
        var words = new short[16];
        for (int start = 0; start < 65536; start += 16)
        {
            // Lane order scrambled so normals and subnormals share vectors (the exact fallback must serve all 16 lanes).
            for (int k = 0; k < 16; k++) words[k] = (short)(start + (k * 7 % 16));
            var f = Vector512Scales.HalfToSingle(Vector256.Create(words));
            for (int k = 0; k < 16; k++)
            {
                float expected = (float)BitConverter.UInt16BitsToHalf((ushort)words[k]);
                bool same = float.IsNaN(expected) ? float.IsNaN(f[k])
                    : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(f[k]);
                Assert.True(same, $"F16 0x{(ushort)words[k]:X4}: expected {expected}, got {f[k]}");
            }
        }
    }
}
