using Spark.Engine.Inference;
using Spark.Testing;

namespace Spark.Engine.Tests.Inference;

public class InferenceSessionTests
{
    private static readonly int[] s_prompt = [1, 17, 5, 42, 42, 9, 88, 3];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Decode_AfterWarmUp_AllocatesNothing(int threads)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2(type: Spark.Engine.Tensors.GgmlType.Q8_0));
        using var model = SparkModel.Load(path, new ModelLoadOptions { Threads = threads, ContextLength = 160 });
        var session = model.CreateSession();
        session.Prefill(s_prompt);
        int token = 3;
        // Warm up past tiered compilation (30 calls, then a background re-JIT) so only steady-state steps are measured.
        for (int i = 0; i < 50; i++) token = ArgMax(session.Decode(token));
        Thread.Sleep(250);
        for (int i = 0; i < 10; i++) token = ArgMax(session.Decode(token));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 40; i++) token = ArgMax(session.Decode(token));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(Spark.Engine.Tensors.GgmlType.Q4_K)]
    [InlineData(Spark.Engine.Tensors.GgmlType.Q4_0)] // rows interleaved on AVX-512: thread shares cut at groups of 16
    [InlineData(Spark.Engine.Tensors.GgmlType.Q8_0)]
    public void Decode_SingleAndMultiThreaded_GiveIdenticalLogits(Spark.Engine.Tensors.GgmlType type)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama(type: type, dim: 256, feedForward: 512));
        using var one = SparkModel.Load(path, new ModelLoadOptions { Threads = 1 });
        using var three = SparkModel.Load(path, new ModelLoadOptions { Threads = 3 });
        var a = one.CreateSession();
        var b = three.CreateSession();
        foreach (int t in s_prompt)
            Assert.Equal(a.Decode(t).ToArray(), b.Decode(t).ToArray());
    }

    [Fact]
    public void TruncateTo_ThenDecodeAgain_ReproducesTheSameLogits()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        using var model = SparkModel.Load(path);
        var session = model.CreateSession();
        session.Prefill(s_prompt.AsSpan(0, 4));
        float[] first = session.Decode(s_prompt[4]).ToArray();
        session.Decode(60);
        session.Decode(61);
        session.TruncateTo(4);
        Assert.Equal(4, session.Position);
        Assert.Equal(first, session.Decode(s_prompt[4]).ToArray());

        session.Reset();
        Assert.Equal(0, session.Position);
        session.Prefill(s_prompt.AsSpan(0, 4));
        Assert.Equal(first, session.Decode(s_prompt[4]).ToArray());
    }

    [Theory]
    [InlineData(KvCacheType.F16, 5)]
    [InlineData(KvCacheType.F32, 5)]
    [InlineData(KvCacheType.F16, 20)] // past one 16-position key block
    public void CopyPrefixFrom_ContinuesLikeASessionThatComputedThePrefix_AndLeavesTheSourceAlone(KvCacheType cacheType, int prefix)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        using var model = SparkModel.Load(path, new ModelLoadOptions { KvCacheType = cacheType, ContextLength = 64 });
        int[] shared = Enumerable.Range(0, prefix).Select(i => s_prompt[i % s_prompt.Length] + i % 7).ToArray();
        var source = model.CreateSession();
        source.Prefill([.. shared, 50, 51, 52]);
        float[] sourceNext = source.Decode(53).ToArray();

        var copy = model.CreateSession();
        copy.Prefill([70, 71]); // whatever it held is replaced
        copy.CopyPrefixFrom(source, prefix);
        Assert.Equal(prefix, copy.Position);
        copy.Prefill([60, 61]);
        var computed = model.CreateSession(); // the same arithmetic without the copy: compute the prefix, cut there, go on
        computed.Prefill([.. shared, 50, 51, 52]);
        computed.TruncateTo(prefix);
        computed.Prefill([60, 61]);
        Assert.Equal(computed.Logits.ToArray(), copy.Logits.ToArray());

        source.TruncateTo(prefix + 3);
        Assert.Equal(sourceNext, source.Decode(53).ToArray());
    }

    [Fact]
    public void Prefill_BeyondTheContext_ThrowsContextOverflowBeforeRunning()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        using var model = SparkModel.Load(path, new ModelLoadOptions { ContextLength = 6 });
        var session = model.CreateSession();
        var ex = Assert.Throws<InvalidOperationException>(() => session.Prefill(s_prompt));
        Assert.Contains("context overflow", ex.Message);
        Assert.Contains("context of 6", ex.Message);
        Assert.Equal(0, session.Position);

        session.Prefill(s_prompt.AsSpan(0, 6));
        var full = Assert.Throws<InvalidOperationException>(() => session.Decode(1));
        Assert.Contains("context overflow", full.Message);
    }

    [Fact]
    public void Decode_TokenOutsideTheVocabulary_ThrowsNamingTheRange()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama(vocab: 96));
        using var model = SparkModel.Load(path);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateSession().Decode(96));
        Assert.Contains("[0, 96)", ex.Message);
    }

    [Fact]
    public void Load_ReportsConfigurationFromMetadata()
    {
        using var dir = new TempDirectory();
        var spec = TestModels.Qwen2(layers: 3, heads: 8, kvHeads: 2) with { ContextLength = 128, RopeLinearFactor = 2f };
        string path = TestModels.Write(dir.File("m.gguf"), spec);
        using var model = SparkModel.Load(path, new ModelLoadOptions { Threads = 2 });
        Assert.Equal("qwen2", model.Architecture);
        Assert.Equal(96, model.VocabSize);
        Assert.Equal(128, model.ContextLength);
        Assert.Equal(2, model.Threads);
        Assert.True(model.TiedEmbeddings);
        var c = model.Config;
        Assert.Equal((3, 64, 8, 2, 8, 8), (c.BlockCount, c.EmbeddingLength, c.HeadCount, c.HeadCountKv, c.KeyLength, c.ValueLength));
        Assert.Equal(0.5f, c.RopeFreqScale);
        Assert.Equal(Spark.Engine.Kernels.RopeStyle.Neox, c.RopeStyle);
        Assert.Equal(1_000_000f, c.RopeFreqBase);
    }

    [Fact]
    public void Prefill_LeavesTheSameLogitsAsDecodingEachToken()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2());
        using var model = SparkModel.Load(path);
        var a = model.CreateSession();
        var b = model.CreateSession();
        a.Prefill(s_prompt);
        float[] last = [];
        foreach (int t in s_prompt) last = b.Decode(t).ToArray();
        Assert.Equal(last, a.Logits.ToArray());
        Assert.Equal(s_prompt.Length, a.Position);
    }

    [Fact]
    public void Decode_AfterTheModelIsDisposed_ThrowsObjectDisposed()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        var model = SparkModel.Load(path);
        var session = model.CreateSession();
        session.Decode(1);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Decode(2));
        Assert.Throws<ObjectDisposedException>(() => model.CreateSession());
    }

    [Theory]
    [InlineData(0, null, "Threads")]
    [InlineData(null, 0, "ContextLength")]
    public void Load_InvalidOptions_SayWhichOne(int? threads, int? context, string name)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SparkModel.Load(path, new ModelLoadOptions { Threads = threads, ContextLength = context }));
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void Load_DefaultContext_IsTheTrainedLengthCappedAt4096()
    {
        using var dir = new TempDirectory();
        string small = TestModels.Write(dir.File("s.gguf"), TestModels.Llama() with { ContextLength = 100 });
        string large = TestModels.Write(dir.File("l.gguf"), TestModels.Llama() with { ContextLength = 131072 });
        using var a = SparkModel.Load(small);
        using var b = SparkModel.Load(large);
        Assert.Equal(100, a.ContextLength);
        Assert.Equal(ModelLoadOptions.DefaultMaxContextLength, b.ContextLength);
        Assert.Equal(131072, b.Config.TrainedContextLength);
    }

    private static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
