using Spark.Engine.Inference;
using Spark.Engine.Kernels;

namespace Spark.Engine.Tests.Kernels;

/// <summary>The grouped attention kernel against a float64 softmax, its scalar twin, and itself split into chunks.</summary>
public class AttentionTests
{
    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    private static double MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        return worst;
    }

    /// <summary>A one-layer cache of 2 KV heads filled with random keys and values; returns it and the values stored.</summary>
    private static KvCache Fill(KvCacheType type, int length, int dim, out float[] keys, out float[] values)
    {
        var cache = new KvCache(1, length + 5, 2, dim, dim, type);
        keys = Random(length * 2 * dim, 8, 2f);
        values = Random(length * 2 * dim, 9);
        for (int t = 0; t < length; t++) cache.Store(0, t, keys.AsSpan(t * 2 * dim, 2 * dim), values.AsSpan(t * 2 * dim, 2 * dim));
        cache.Advance(length);
        return cache;
    }

    /// <summary>Float64 attention of <paramref name="groups"/> heads over KV head 1 as the cache stores it.</summary>
    private static float[] Reference(KvCache cache, float[] q, int groups, int length, float scale)
    {
        int dim = cache.KeyLength;
        var output = new float[groups * dim];
        var k = new float[dim];
        var v = new float[dim];
        for (int g = 0; g < groups; g++)
        {
            var scores = new double[length];
            for (int t = 0; t < length; t++)
            {
                cache.ReadKey(0, 1, t, k);
                for (int d = 0; d < dim; d++) scores[t] += (double)q[g * dim + d] * k[d] * scale;
            }
            double max = scores.Max(), sum = scores.Sum(s => Math.Exp(s - max));
            var acc = new double[dim];
            for (int t = 0; t < length; t++)
            {
                cache.ReadValue(0, 1, t, v);
                for (int d = 0; d < dim; d++) acc[d] += Math.Exp(scores[t] - max) / sum * v[d];
            }
            for (int d = 0; d < dim; d++) output[g * dim + d] = (float)acc[d];
        }
        return output;
    }

    private static float[] Run(KvCache cache, float[] q, int groups, int start, int end, float scale, bool simd,
        out float[] max, out float[] sum)
    {
        int dim = cache.KeyLength;
        var acc = new float[groups * dim];
        max = new float[groups];
        sum = new float[groups];
        var scratch = new AttentionScratch(dim, dim, groups);
        Attention.Start(acc, max, sum);
        if (cache.Type == KvCacheType.F16)
            Attention.Accumulate(q, groups, cache.HalfKeys(0, 1), cache.HalfValues(0, 1), start, end, scale, scratch, acc, max, sum, simd);
        else
            Attention.Accumulate(q, groups, cache.Keys(0, 1), cache.Values(0, 1), start, end, scale, scratch, acc, max, sum, simd);
        return acc;
    }

    [Theory]
    [InlineData(1, 16, 1)]
    [InlineData(7, 16, 3)]
    [InlineData(33, 64, 7)]
    [InlineData(300, 32, 2)]
    public void Accumulate_MatchesDoubleSoftmax_AndItsScalarTwin(int length, int dim, int groups)
    {
        float scale = 1f / MathF.Sqrt(dim);
        var q = Random(groups * dim, 10, 2f);
        foreach (var type in new[] { KvCacheType.F32, KvCacheType.F16 })
        {
            var cache = Fill(type, length, dim, out _, out _);
            var query = (float[])q.Clone();
            if (type == KvCacheType.F16) for (int i = 0; i < query.Length; i++) query[i] = HalfRounding.Round(query[i]);
            var expected = Reference(cache, query, groups, length, scale);
            var simd = Run(cache, query, groups, 0, length, scale, simd: true, out _, out var simdSum);
            var scalar = Run(cache, query, groups, 0, length, scale, simd: false, out _, out var scalarSum);
            Attention.Finish(simd, simdSum, groups, dim, simd);
            Attention.Finish(scalar, scalarSum, groups, dim, scalar);
            // F32: float rounding only. F16: the running sum is rounded to F16 after every position (as llama.cpp does).
            double tolerance = type == KvCacheType.F32 ? 1e-5 : 5e-3;
            Assert.True(MaxError(expected, simd) <= tolerance, $"{type}: SIMD vs float64 {MaxError(expected, simd):E2}");
            Assert.True(MaxError(expected, scalar) <= tolerance, $"{type}: scalar vs float64 {MaxError(expected, scalar):E2}");
            // Same order of operations; only the exponential's last bit may differ, which F16 rounding can amplify to one F16 ulp.
            Assert.True(MaxError(scalar, simd) <= (type == KvCacheType.F32 ? 1e-6 : 2e-3), $"{type}: SIMD vs scalar {MaxError(scalar, simd):E2}");
        }
    }

    [Theory]
    [InlineData(KvCacheType.F32)]
    [InlineData(KvCacheType.F16)]
    public void Merge_OfConsecutiveChunks_EqualsTheWholeRange(KvCacheType type)
    {
        const int length = 100, dim = 32, groups = 3;
        float scale = 1f / MathF.Sqrt(dim);
        var cache = Fill(type, length, dim, out _, out _);
        var q = Random(groups * dim, 11, 2f);
        if (type == KvCacheType.F16) for (int i = 0; i < q.Length; i++) q[i] = HalfRounding.Round(q[i]);
        var whole = Run(cache, q, groups, 0, length, scale, simd: true, out _, out var wholeSum);
        Attention.Finish(whole, wholeSum, groups, dim, whole);
        var a = Run(cache, q, groups, 0, 48, scale, simd: true, out var maxA, out var sumA);
        var b = Run(cache, q, groups, 48, length, scale, simd: true, out var maxB, out var sumB);
        Attention.Merge(a, maxA, sumA, b, maxB, sumB, groups, dim);
        Attention.Finish(a, sumA, groups, dim, a);
        Assert.True(MaxError(whole, a) <= (type == KvCacheType.F32 ? 1e-6 : 3e-3), $"chunked vs whole {MaxError(whole, a):E2}");
    }

    [Fact]
    public void Accumulate_RangeOutsideTheCache_ThrowsNamingThePositions()
    {
        var cache = new KvCache(1, 16, 1, 8, 8, KvCacheType.F32);
        var acc = new float[8];
        var ex = Assert.Throws<ArgumentException>(() => Attention.Accumulate(new float[8], 1, cache.Keys(0, 0), cache.Values(0, 0),
            0, 40, 1f, new AttentionScratch(8, 8, 1), acc, new float[1], new float[1]));
        Assert.Contains("[0, 40)", ex.Message);
    }

    [Fact]
    public void HalfVector_RoundAndConversion_MatchHalfExactly()
    {
        // Normals, subnormals (< 6.1e-5), exact ties between F16 neighbours, zeros of both signs, and the F16 extremes.
        var rng = new Random(5);
        var x = new List<float> { 0f, -0f, 65504f, -65504f, 6.1035156e-5f, 5.9604645e-8f, 2.9802322e-8f, 8.940697e-8f, 1.0009765625f + 0.00048828125f };
        for (int i = 0; i < 4000; i++)
        {
            float magnitude = MathF.Pow(2, (float)(rng.NextDouble() * 44 - 28)); // 2^-28 … 2^16
            float v = (float)(rng.NextDouble() + 0.5) * magnitude * (rng.Next(2) == 0 ? -1 : 1);
            if (Math.Abs(v) < 65504) x.Add(v);
        }
        // Ties: an F16 value plus half its ulp.
        for (int i = 0; i < 200; i++)
        {
            float h = (float)(Half)(float)(rng.NextDouble() * 100);
            x.Add(BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(h) + 0x1000));
        }
        var values = x.ToArray();
        int n = values.Length / 16 * 16;

        var bits = values.Select(HalfVector.FromSingle).ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)values[i]), bits[i]);
        var back = new float[bits.Length];
        HalfVector.ToSingle(bits, back);
        for (int i = 0; i < bits.Length; i++) Assert.Equal((float)BitConverter.UInt16BitsToHalf(bits[i]), back[i]);
        Assert.Equal(65504f, HalfVector.ToSingle(HalfVector.FromSingle(1e6f))); // saturates instead of storing infinity

        // F16-precision rounding (Veltkamp): an F16 store's result in F16's normal range, except that an exact tie may go to either neighbour.
        foreach (float v in values)
        {
            float scalar = HalfVector.RoundToHalfPrecision(v), half = HalfRounding.Round(v);
            bool tie = (BitConverter.SingleToUInt32Bits(v) & 0x1FFF) == 0x1000;
            if (Math.Abs(v) >= 6.1035156e-5f && !tie) Assert.True(half == scalar, $"{v:R}: F16 {half:R}, rounded {scalar:R}");
            else Assert.True(Math.Abs(half - scalar) <= Math.Max(Math.Abs(v) / 1024, 5.9604645e-8f), // one F16 ulp, or the subnormal quantum
                $"{v:R}: F16 {half:R}, rounded {scalar:R}");
        }
        if (!HalfVector.IsAccelerated) return; // the Vector512 twin needs AVX-512; the conversion above ran its scalar path
        for (int i = 0; i < n; i += 16)
        {
            var rounded = HalfVector.RoundToHalfPrecision(System.Runtime.Intrinsics.Vector512.Create(values, i));
            for (int j = 0; j < 16; j++) Assert.Equal(HalfVector.RoundToHalfPrecision(values[i + j]), rounded[j]);
        }
    }
}
