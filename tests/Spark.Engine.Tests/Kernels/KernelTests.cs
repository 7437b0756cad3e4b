using Spark.Engine.Kernels;

namespace Spark.Engine.Tests.Kernels;

/// <summary>Every SIMD kernel agrees with its scalar twin and with a plain double computation, on odd lengths.</summary>
public class KernelTests
{
    public static TheoryData<int> Lengths() => [1, 7, 8, 33, 4099];

    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RmsNorm_SimdMatchesScalarAndDouble(int n)
    {
        var x = Random(n, 1, 3f);
        var w = Random(n, 2);
        var simd = new float[n];
        var scalar = new float[n];
        RmsNorm.Apply(x, w, 1e-5f, simd);
        RmsNorm.ApplyScalar(x, w, 1e-5f, scalar);
        double ms = x.Sum(v => (double)v * v) / n;
        float[] expected = [.. x.Select((v, i) => (float)(v / Math.Sqrt(ms + 1e-5) * w[i]))];
        Close(expected, scalar, 1e-5);
        Close(scalar, simd, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softmax_SimdMatchesScalarAndSumsToOne(int n)
    {
        var x = Random(n, 3, 20f);
        var simd = (float[])x.Clone();
        var scalar = (float[])x.Clone();
        Softmax.Apply(simd);
        Softmax.ApplyScalar(scalar);
        double max = x.Max();
        double sum = x.Sum(v => Math.Exp(v - max));
        float[] expected = [.. x.Select(v => (float)(Math.Exp(v - max) / sum))];
        Close(expected, scalar, 1e-5);
        Close(scalar, simd, 1e-5);
        Assert.Equal(1.0, simd.Sum(v => (double)v), 4);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SwiGlu_SimdMatchesScalarAndDouble(int n)
    {
        var g = Random(n, 4, 8f);
        var u = Random(n, 5);
        var simd = (float[])g.Clone();
        var scalar = (float[])g.Clone();
        Activations.SwiGlu(simd, u);
        Activations.SwiGluScalar(scalar, u);
        float[] expected = [.. g.Select((v, i) => (float)(v / (1 + Math.Exp(-v)) * u[i]))];
        Close(expected, scalar, 1e-5);
        Close(scalar, simd, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Add_SimdMatchesScalar(int n)
    {
        var a = Random(n, 6);
        var b = Random(n, 7);
        var simd = (float[])a.Clone();
        var scalar = (float[])a.Clone();
        Activations.AddInPlace(simd, b);
        Activations.AddInPlaceScalar(scalar, b);
        Close(scalar, simd, 0);
        Close([.. a.Select((v, i) => v + b[i])], simd, 0);
    }

    [Fact]
    public void Rope_Norm_RotatesAdjacentPairs_Neox_RotatesHalves()
    {
        // One head of 4 dims, two pairs; angle of pair 0 = π/2, pair 1 = 0 (cos 1, sin 0).
        float[] cos = [0f, 1f], sin = [1f, 0f];
        float[] norm = [1, 2, 3, 4];
        Rope.Apply(norm, 4, cos, sin, RopeStyle.Norm);
        Assert.Equal([-2f, 1f, 3f, 4f], norm);   // (x0, x1) turned by 90°, (x2, x3) untouched
        float[] neox = [1, 2, 3, 4];
        Rope.Apply(neox, 4, cos, sin, RopeStyle.Neox);
        Assert.Equal([-3f, 2f, 1f, 4f], neox);   // (x0, x2) turned by 90°, (x1, x3) untouched
    }

    [Fact]
    public void Rope_PartialDimensions_LeaveTheRestAlone()
    {
        float[] cos = [0f], sin = [1f];
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8]; // two heads of 4, rope over the first 2 dims of each
        Rope.Apply(x, 4, cos, sin, RopeStyle.Neox);
        Assert.Equal([-2f, 1f, 3f, 4f, -6f, 5f, 7f, 8f], x);
    }

    [Fact]
    public void Rope_InverseFrequencies_ApplyScaleAndFactors()
    {
        var inv = Rope.InverseFrequencies(4, 10000, 0.25, [1f, 2f]);
        Assert.Equal(0.25, inv[0], 12);
        Assert.Equal(0.25 * Math.Pow(10000, -0.5) / 2, inv[1], 12);
    }
}
