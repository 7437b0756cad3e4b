using Spark.Engine.Gguf;
using Spark.Engine.Inference;
using Spark.Engine.Models;
using Spark.Engine.Tensors;
using Spark.Engine.Threading;
using Spark.Testing;

namespace Spark.Engine.Tests.Models;

/// <summary>
/// Batched prefill (<see cref="Transformer.ForwardBatch"/>) against token-by-token <see cref="Transformer.Forward"/>:
/// the same logits and the same KV cache. Tolerance: none — today they are bit-identical, because the batch runs the
/// same per-row kernels (matmul rows, activation rounding, attention) in the same order, and attention folds its
/// chunks identically in both. A future matmul kernel that sums in another order would need a tolerance here.
/// </summary>
public class ForwardBatchTests
{
    public static TheoryData<string, GgmlType, KvCacheType, bool> Cases() => new()
    {
        // architecture, weight type, cache, llama.cpp rounding
        { "qwen2", GgmlType.Q8_0, KvCacheType.F16, true },
        { "llama", GgmlType.Q4_K, KvCacheType.F16, true },
        { "llama", GgmlType.Q4_0, KvCacheType.F16, true }, // rows interleaved on AVX-512 (every matrix a multiple of 16 rows)
        { "qwen2", GgmlType.Q5_0, KvCacheType.F16, true },
        { "qwen2", GgmlType.F16, KvCacheType.F32, true },
        { "llama", GgmlType.F32, KvCacheType.F32, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardBatch_InChunks_GivesTheSameLogitsAndCacheAsTokenByToken(string arch, GgmlType type, KvCacheType cacheType, bool rounding)
    {
        bool kQuant = GgmlTypeInfo.BlockSize(type) == GgmlTypeInfo.QK_K;
        int dim = kQuant ? 256 : 64, ff = kQuant ? 512 : 96;
        var spec = arch == "llama" ? TestModels.Llama(type: type, dim: dim, feedForward: ff) : TestModels.Qwen2(type: type, dim: dim, feedForward: ff);
        // 75 tokens: two full chunks of 32 and a partial one, after a first decode step (so a chunk starts mid-block).
        int[] tokens = [.. Enumerable.Range(0, 75).Select(i => (i * 37 + 11) % spec.Vocab)];
        AssertSame(spec, tokens, cacheType, rounding, context: 96, threads: 2);
    }

    [Fact]
    public void ForwardBatch_PastAnAttentionChunk_FoldsChunksAsDecodeDoes()
    {
        // Past 1024 positions decode splits attention into chunks computed in parallel; a batch folds them in order.
        var spec = TestModels.Qwen2(kvHeads: 1, layers: 1) with { ContextLength = 2048 };
        int n = AttentionJob.ChunkPositions + 100;
        int[] tokens = [.. Enumerable.Range(0, n).Select(i => (i * 13 + 5) % spec.Vocab)];
        AssertSame(spec, tokens, KvCacheType.F16, rounding: true, context: n + 4, threads: 2);
    }

    [Fact]
    public void ForwardBatch_MoreTokensThanTheChunk_ThrowsNamingTheLimit()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        using var file = GgufFile.Open(path);
        using var pool = new WorkerPool(1);
        var transformer = new Transformer(file, pool);
        var state = new ForwardState(transformer.Config, 64, KvCacheType.F16, roundActivations: true, workers: 1, maxBatch: 4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.ForwardBatch([1, 2, 3, 4, 5], state));
        Assert.Contains("1 to 4 tokens", ex.Message);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.ForwardBatch([1, 2, 999], state));
        Assert.Contains($"[0, {transformer.Config.VocabSize})", bad.Message);
        Assert.Equal(0, state.Cache.Length); // nothing ran
    }

    private static void AssertSame(TestModelSpec spec, int[] tokens, KvCacheType cacheType, bool rounding, int context, int threads)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), spec);
        using var file = GgufFile.Open(path);
        using var pool = new WorkerPool(threads);
        var transformer = new Transformer(file, pool);
        var c = transformer.Config;
        var single = new ForwardState(c, context, cacheType, rounding, threads, maxBatch: 1);
        var batched = new ForwardState(c, context, cacheType, rounding, threads, maxBatch: 32);

        foreach (int t in tokens) transformer.Forward(t, single);
        transformer.Forward(tokens[0], batched);
        for (int start = 1; start < tokens.Length; start += 32)
        {
            int count = Math.Min(32, tokens.Length - start);
            transformer.ForwardBatch(tokens.AsSpan(start, count), batched, computeLogits: start + count == tokens.Length);
        }

        Assert.Equal(tokens.Length, batched.Cache.Length);
        Assert.Equal(single.Logits, batched.Logits);
        var a = new float[Math.Max(c.KeyLength, c.ValueLength)];
        var b = new float[a.Length];
        for (int l = 0; l < c.BlockCount; l++)
            for (int h = 0; h < c.HeadCountKv; h++)
                for (int p = 0; p < tokens.Length; p++)
                {
                    single.Cache.ReadKey(l, h, p, a);
                    batched.Cache.ReadKey(l, h, p, b);
                    Assert.True(a.AsSpan(0, c.KeyLength).SequenceEqual(b.AsSpan(0, c.KeyLength)), $"key of layer {l}, head {h}, position {p} differs");
                    single.Cache.ReadValue(l, h, p, a);
                    batched.Cache.ReadValue(l, h, p, b);
                    Assert.True(a.AsSpan(0, c.ValueLength).SequenceEqual(b.AsSpan(0, c.ValueLength)), $"value of layer {l}, head {h}, position {p} differs");
                }
    }
}
