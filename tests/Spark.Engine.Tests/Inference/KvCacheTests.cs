using Spark.Engine.Inference;
using Spark.Testing;

namespace Spark.Engine.Tests.Inference;

public class KvCacheTests
{
    [Theory]
    [InlineData(KvCacheType.F16)]
    [InlineData(KvCacheType.F32)]
    public void Store_ThenRead_GivesTheValuesBack_AtTheCacheType(KvCacheType type)
    {
        var cache = new KvCache(layers: 2, capacity: 37, kvHeads: 3, keyLength: 8, valueLength: 4, type);
        var rng = new Random(3);
        var keys = new float[37][];
        var values = new float[37][];
        for (int p = 0; p < 37; p++)
        {
            keys[p] = [.. Enumerable.Range(0, 24).Select(_ => (float)(rng.NextDouble() * 200 - 100))];
            values[p] = [.. Enumerable.Range(0, 12).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
            cache.Store(1, p, keys[p], values[p]);
        }
        var k = new float[8];
        var v = new float[4];
        for (int p = 0; p < 37; p++)
            for (int h = 0; h < 3; h++)
            {
                cache.ReadKey(1, h, p, k);
                cache.ReadValue(1, h, p, v);
                for (int d = 0; d < 8; d++)
                    Assert.Equal(type == KvCacheType.F16 ? (float)(Half)keys[p][h * 8 + d] : keys[p][h * 8 + d], k[d]);
                for (int d = 0; d < 4; d++)
                    Assert.Equal(type == KvCacheType.F16 ? (float)(Half)values[p][h * 4 + d] : values[p][h * 4 + d], v[d]);
            }
        Assert.Equal(48, cache.HeadPositions); // 37 rounded up to whole key blocks of 16
    }

    [Fact]
    public void Load_WithF32Cache_DecodesCloseToTheDefaultF16Cache()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2(type: Spark.Engine.Tensors.GgmlType.F16));
        using var f16 = SparkModel.Load(path);
        using var f32 = SparkModel.Load(path, new ModelLoadOptions { KvCacheType = KvCacheType.F32 });
        var a = f16.CreateSession();
        var b = f32.CreateSession();
        int[] prompt = [1, 17, 5, 42, 42, 9, 88, 3];
        a.Prefill(prompt);
        b.Prefill(prompt);
        float[] x = a.Logits.ToArray(), y = b.Logits.ToArray();
        double worst = 0, largest = 0;
        for (int i = 0; i < x.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
            largest = Math.Max(largest, Math.Abs(y[i]));
        }
        Assert.True(worst > 0, "the F32 cache gave bit-identical logits: the option did nothing");
        Assert.True(worst <= 1e-2 * largest, $"F16 vs F32 cache: max |logit difference| {worst:E2} of {largest:E2}");
    }

    [Fact]
    public void Load_UnknownKvCacheType_SaysWhichOption()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SparkModel.Load(path, new ModelLoadOptions { KvCacheType = (KvCacheType)7 }));
        Assert.Contains("KvCacheType must be F16 or F32", ex.Message);
    }
}
