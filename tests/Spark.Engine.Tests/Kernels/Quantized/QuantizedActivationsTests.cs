using System.Buffers.Binary;
using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Tensors;
using Spark.Engine.Tests.Tensors;

namespace Spark.Engine.Tests.Kernels.Quantized;

public class QuantizedActivationsTests
{
    [Theory]
    [InlineData(32, 1)]
    [InlineData(32 * 37, 3)]
    public void QuantizeQ8_0_EveryRow_FollowsLlamaCppX86RuntimeRule(int cols, int rows)
    {
        var input = Input(rows * cols, seed: cols);
        var x = new QuantizedActivations(cols, rows);
        x.Quantize(GgmlType.Q8_0, input, rows, cols);
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < cols / 32; b++)
            {
                // ggml-cpu x86 quantize_row_q8_0/_q8_1: d = amax/127 (stored F16), id = 127/amax, round half to even.
                var xb = input.AsSpan(r * cols + 32 * b, 32);
                float amax = 0;
                foreach (float v in xb) amax = MathF.Max(amax, MathF.Abs(v));
                float d = amax / 127f, id = amax != 0 ? 127f / amax : 0f;
                int slot = r * x.Stride / 32 + b;
                Assert.Equal((float)(Half)d, x.Scales[slot]);
                int sum = 0;
                for (int j = 0; j < 32; j++)
                {
                    int q = (int)MathF.Round(xb[j] * id, MidpointRounding.ToEven);
                    Assert.Equal((sbyte)q, x.Quants[r * x.Stride + 32 * b + j]);
                    sum += q;
                }
                Assert.Equal(sum, x.Sums[slot]);
                Assert.Equal(x.Scales[slot] * sum, x.ScaledSums[slot]);
                Assert.Equal((float)(Half)(d * sum), x.MinSums[slot]);
            }
    }

    [Fact]
    public void QuantizeQ8_0_HalfwayValue_RoundsToEvenUnlikeTheFileQuantizer()
    {
        // amax 127 makes id exactly 1, so 2.5 is a true tie: the run-time rule gives 2, the file rule (roundf) 3.
        var input = new float[32];
        input[0] = 127f;
        input[1] = 2.5f;
        var x = new QuantizedActivations(32);
        x.Quantize(GgmlType.Q8_0, input);
        Assert.Equal(2, x.Quants[1]);
        var block = new byte[Q8_0Block.Bytes];
        TensorQuantizer.Row(GgmlType.Q8_0, input, block);
        Assert.Equal(3, (sbyte)block[2 + 1]);
    }

    [Theory]
    [InlineData(256, 1)]
    [InlineData(256 * 5, 2)]
    public void QuantizeQ8K_EveryRow_ByteIdenticalToTensorQuantizer(int cols, int rows)
    {
        var input = Input(rows * cols, seed: cols + 1);
        var x = new QuantizedActivations(cols, rows);
        x.Quantize(GgmlType.Q8_K, input, rows, cols);
        var block = new byte[Q8KBlock.Bytes];
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < cols / 256; b++)
            {
                TensorQuantizer.Row(GgmlType.Q8_K, input.AsSpan(r * cols + 256 * b, 256), block);
                int row = r * x.Stride;
                Assert.Equal(BinaryPrimitives.ReadInt32LittleEndian(block), BitConverter.SingleToInt32Bits(x.Scales[row / 32 + b]));
                for (int j = 0; j < 256; j++) Assert.Equal((sbyte)block[Q8KBlock.QsOffset + j], x.Quants[row + 256 * b + j]);
                for (int g = 0; g < 16; g++)
                    Assert.Equal(BinaryPrimitives.ReadInt16LittleEndian(block.AsSpan(Q8KBlock.BsumsOffset + 2 * g)), x.Sums16[row / 16 + 16 * b + g]);
                for (int g = 0; g < 8; g++)
                    Assert.Equal(x.Sums16[row / 16 + 16 * b + 2 * g] + x.Sums16[row / 16 + 16 * b + 2 * g + 1], x.Sums[row / 32 + 8 * b + g]);
            }
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    public void QuantizeFloatTypes_MatchActivationRounding(GgmlType type)
    {
        var input = Input(100, seed: 3);
        var x = new QuantizedActivations(100);
        x.Quantize(type, input);
        var expected = new float[100];
        ActivationRoundingReference.Round(type, input, new byte[ActivationRoundingReference.ScratchBytes(100)], expected);
        Assert.Equal(expected, x.Floats.AsSpan(0, 100).ToArray());
    }

    [Fact]
    public void Quantize_LengthNotAMultipleOfTheBlock_ThrowsNamingBoth()
    {
        var x = new QuantizedActivations(300);
        var ex = Assert.Throws<ArgumentException>(() => x.Quantize(GgmlType.Q8_K, new float[300]));
        Assert.Contains("Q8_K activations need a multiple of 256 values, got 300", ex.Message);
    }

    [Fact]
    public void Quantize_WiderThanCapacity_Throws()
    {
        var x = new QuantizedActivations(64);
        var ex = Assert.Throws<ArgumentException>(() => x.Quantize(GgmlType.Q8_0, new float[96]));
        Assert.Contains("holds 1 to 64", ex.Message);
    }

    /// <summary>Gaussians with the cases the rounding rules care about: zero blocks, exact halves, one large value.</summary>
    private static float[] Input(int n, int seed)
    {
        var x = TensorTestData.Gaussian(n, seed);
        for (int i = 0; i < Math.Min(32, n); i++) x[i] = 0;
        if (n > 64) { x[40] = 127; x[41] = 0.5f; x[42] = -1.5f; x[43] = 2.5f; }
        return x;
    }

    [Fact]
    public void QuantizeRows_InParts_EqualsQuantize_AndRowsOutsideThePreparedOnes_Throw()
    {
        var values = TensorTestData.Gaussian(3 * 64, seed: 9);
        var whole = new QuantizedActivations(64, 3);
        whole.Quantize(GgmlType.Q8_0, values, 3, 64);
        var parts = new QuantizedActivations(64, 3);
        parts.Prepare(GgmlType.Q8_0, 3, 64);
        parts.QuantizeRows(values, 2, 3);
        parts.QuantizeRows(values, 0, 2);
        Assert.Equal(whole.Quants.AsSpan(0, 3 * whole.Stride).ToArray(), parts.Quants.AsSpan(0, 3 * parts.Stride).ToArray());
        Assert.Equal(whole.Scales.AsSpan(0, 6).ToArray(), parts.Scales.AsSpan(0, 6).ToArray());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => parts.QuantizeRows(values, 1, 4));
        Assert.Contains("rows [1, 4) are not within the 3 prepared", ex.Message);
        var shortInput = Assert.Throws<ArgumentException>(() => parts.QuantizeRows(new float[100], 0, 2));
        Assert.Contains("fewer than 2 rows of 64", shortInput.Message);
    }
}
