using Spark.Engine.Inference;

namespace Spark.Engine.Models;

/// <summary>
/// Everything a forward pass writes: activations for up to <see cref="MaxBatch"/> positions (row-major, one row per
/// position; a decode step uses row 0), the KV cache, logits and the parallel jobs. Allocated once per session so
/// that a step allocates nothing.
/// </summary>
internal sealed class ForwardState
{
    /// <summary>
    /// Positions a prefill chunk holds. Measured on the 0.5B shape, 1 thread, Q8_0, 512-token prompt (CPU seconds):
    /// 16 → 12.8, 32 → 10.0, 64 → 10.4, 128 → 12.2; past 32 the chunk's activations no longer fit in L2 beside the weight tile.
    /// </summary>
    public const int DefaultMaxBatch = 32;

    /// <param name="c">The model's configuration.</param>
    /// <param name="contextLength">Positions the KV cache holds.</param>
    /// <param name="cacheType">How the KV cache stores keys and values.</param>
    /// <param name="roundActivations">Round matmul inputs as llama.cpp does (false = exact F32, for tests).</param>
    /// <param name="workers">Workers of the pool that runs the forward pass.</param>
    /// <param name="maxBatch">Positions one batched forward pass may hold (the prefill chunk).</param>
    public ForwardState(ModelConfig c, int contextLength, KvCacheType cacheType, bool roundActivations, int workers, int maxBatch = DefaultMaxBatch)
    {
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "a batch holds at least one position");
        MaxBatch = maxBatch;
        int attentionWidth = c.HeadCount * c.ValueLength;
        Hidden = new float[maxBatch * c.EmbeddingLength];
        Normed = new float[maxBatch * Math.Max(c.EmbeddingLength, attentionWidth)];
        Query = new float[maxBatch * c.QueryLength];
        Key = new float[maxBatch * c.KeyValueKeyLength];
        Value = new float[maxBatch * c.KeyValueValueLength];
        AttentionOutput = new float[maxBatch * attentionWidth];
        Gate = new float[maxBatch * c.FeedForwardLength];
        Up = new float[maxBatch * c.FeedForwardLength];
        Logits = new float[c.VocabSize];
        Cos = new float[maxBatch * (c.RopeDimensionCount / 2)];
        Sin = new float[maxBatch * (c.RopeDimensionCount / 2)];
        Cache = new KvCache(c.BlockCount, contextLength, c.HeadCountKv, c.KeyLength, c.ValueLength, cacheType);
        Attention = new AttentionJob(c, Query, AttentionOutput, contextLength, workers);
        int widest = Math.Max(Math.Max(c.EmbeddingLength, c.FeedForwardLength), attentionWidth);
        MatVec = new MatVecJob(widest, roundActivations);
        MatMul = new MatMulJob(widest, maxBatch, roundActivations);
    }

    /// <summary>Positions one batched forward pass may hold.</summary>
    public int MaxBatch { get; }
    /// <summary>The residual stream.</summary>
    public float[] Hidden { get; }
    /// <summary>Normalized input of a sub-layer, then that sub-layer's projected output.</summary>
    public float[] Normed { get; }
    public float[] Query { get; }
    public float[] Key { get; }
    public float[] Value { get; }
    public float[] AttentionOutput { get; }
    public float[] Gate { get; }
    public float[] Up { get; }
    public float[] Logits { get; }
    /// <summary>Rotary cos/sin per position of the batch (rows of RopeDimensionCount / 2).</summary>
    public float[] Cos { get; }
    public float[] Sin { get; }
    public KvCache Cache { get; }
    public MatVecJob MatVec { get; }
    public MatMulJob MatMul { get; }
    public AttentionJob Attention { get; }
}
