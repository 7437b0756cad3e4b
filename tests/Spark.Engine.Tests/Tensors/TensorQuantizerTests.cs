using System.Buffers.Binary;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Tensors;

public class TensorQuantizerTests
{
    /// <summary>
    /// Relative RMS error (‖x − deq(q(x))‖ / ‖x‖) allowed for 4096 standard-normal samples, per type: about 15%
    /// above what these reference quantizers measure (F16 2.1e-4, BF16 1.7e-3, Q8_0 5.4e-3, Q8_K 6.8e-3,
    /// Q6_K 0.018, Q5_0 0.043, Q5_1 0.038, Q5_K 0.036, Q4_0 0.087, Q4_1 0.078, Q4_K 0.071). The ordering matches
    /// ggml's (k-quants beat the legacy type of the same width), and a wrong layout or scale search fails them.
    /// </summary>
    public static TheoryData<GgmlType, double> RoundTripBounds() => new()
    {
        { GgmlType.F32, 0.0 },
        { GgmlType.F16, 0.00025 },
        { GgmlType.BF16, 0.002 },
        { GgmlType.Q8_0, 0.0062 },
        { GgmlType.Q8_K, 0.008 },
        { GgmlType.Q6_K, 0.021 },
        { GgmlType.Q5_0, 0.049 },
        { GgmlType.Q5_1, 0.044 },
        { GgmlType.Q5_K, 0.041 },
        { GgmlType.Q4_0, 0.10 },
        { GgmlType.Q4_1, 0.09 },
        { GgmlType.Q4_K, 0.082 },
    };

    [Theory]
    [MemberData(nameof(RoundTripBounds))]
    public void Row_QuantizeThenDequantize_RelativeRmsErrorWithinBound(GgmlType type, double bound)
    {
        var x = TensorTestData.Gaussian(4096, seed: 42);
        var y = RoundTrip(type, x);
        double err = RelativeRms(x, y);
        Assert.True(err <= bound, $"{type}: relative RMS error {err:G4} exceeds {bound}");
    }

    [Theory]
    [MemberData(nameof(RoundTripBounds))]
    public void Row_QuantizeThenDequantize_ScaleInvariantError(GgmlType type, double bound)
    {
        // Tiny and large magnitudes exercise the scale search away from unit data (within F16 range).
        foreach (float scale in new[] { 1e-3f, 30f })
        {
            var x = TensorTestData.Gaussian(1024, seed: 7, scale: scale);
            double err = RelativeRms(x, RoundTrip(type, x));
            Assert.True(err <= bound * 1.2 + 1e-6, $"{type} at scale {scale}: relative RMS error {err:G4} exceeds {bound}");
        }
    }

    [Theory]
    [MemberData(nameof(TensorTestData.AllTypes), MemberType = typeof(TensorTestData))]
    public void Row_AllZeroRow_RoundTripsToZeros(GgmlType type)
    {
        var x = new float[512];
        var y = RoundTrip(type, x);
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Row_Q8_0_MatchesGgmlReferenceFormula()
    {
        var x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = (i - 10) * 0.37f;
        var q = new byte[34];
        TensorQuantizer.Row(GgmlType.Q8_0, x, q);
        float amax = 21 * 0.37f;
        float d = amax / 127;
        Assert.Equal((Half)d, BinaryPrimitives.ReadHalfLittleEndian(q));
        for (int i = 0; i < 32; i++)
            Assert.Equal((sbyte)MathF.Round(x[i] / d, MidpointRounding.AwayFromZero), (sbyte)q[2 + i]);
        Assert.Equal(127, (sbyte)q[2 + 31]);
    }

    [Fact]
    public void Row_Q4_0_LargestMagnitudeMapsToLevelZero()
    {
        var x = new float[32];
        x[3] = -4f; // largest magnitude, negative: d = -4 / -8 = 0.5
        x[20] = 3.5f;
        var q = new byte[18];
        TensorQuantizer.Row(GgmlType.Q4_0, x, q);
        Assert.Equal((Half)0.5f, BinaryPrimitives.ReadHalfLittleEndian(q));
        Assert.Equal(0, q[2 + 3] & 0xF);       // (-4 / 0.5) + 8 = 0
        Assert.Equal(15, q[2 + 4] >> 4);       // element 20: 3.5/0.5 + 8 = 15
        Assert.Equal(8, q[2 + 0] & 0xF);       // zero → 8
    }

    [Fact]
    public void Row_Q8_K_WritesBlockSumsOfQuants()
    {
        var x = TensorTestData.Gaussian(256, seed: 3);
        var q = new byte[292];
        TensorQuantizer.Row(GgmlType.Q8_K, x, q);
        for (int g = 0; g < 16; g++)
        {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += (sbyte)q[4 + 16 * g + i];
            Assert.Equal(sum, BinaryPrimitives.ReadInt16LittleEndian(q.AsSpan(260 + 2 * g)));
        }
    }

    [Fact]
    public void Row_BF16_RoundsToNearestEven()
    {
        var q = new byte[6];
        // 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7: ties to even → 1.0 (0x3F80).
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even → 0x3F82.
        TensorQuantizer.Row(GgmlType.BF16, [1f + 1f / 256, 1f + 3f / 256, float.NaN], q);
        Assert.Equal(0x3F80, BinaryPrimitives.ReadUInt16LittleEndian(q));
        Assert.Equal(0x3F82, BinaryPrimitives.ReadUInt16LittleEndian(q.AsSpan(2)));
        Assert.True(float.IsNaN(BFloat16Bits.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(q.AsSpan(4)))));
    }

    [Fact]
    public void Row_UnsupportedType_ThrowsNotSupportedListingSupportedTypes()
    {
        var ex = Assert.Throws<NotSupportedException>(() => TensorQuantizer.Row(GgmlType.Q3_K, new float[256], new byte[110]));
        Assert.Contains("Q3_K", ex.Message);
        Assert.Contains(GgmlTypeInfo.SupportedList, ex.Message);
    }

    [Fact]
    public void Row_DestinationTooShort_ThrowsWithByteCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorQuantizer.Row(GgmlType.Q6_K, new float[256], new byte[209]));
        Assert.Contains("needs 210 bytes but the destination has 209", ex.Message);
    }

    internal static float[] RoundTrip(GgmlType type, float[] x)
    {
        var q = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
        TensorQuantizer.Row(type, x, q);
        var y = new float[x.Length];
        TensorDequantizer.Row(type, q, y);
        return y;
    }

    private static double RelativeRms(float[] x, float[] y)
    {
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double diff = (double)x[i] - y[i];
            num += diff * diff;
            den += (double)x[i] * x[i];
        }
        return Math.Sqrt(num / den);
    }
}
