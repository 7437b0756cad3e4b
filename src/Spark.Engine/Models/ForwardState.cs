using Spark.Engine.Inference;

namespace Spark.Engine.Models;

/// <summary>
/// Everything one decode step writes: activations, the KV cache, logits and the parallel jobs.
/// Allocated once per session so that a step allocates nothing.
/// </summary>
internal sealed class ForwardState
{
    /// <param name="c">The model's configuration.</param>
    /// <param name="contextLength">Positions the KV cache holds.</param>
    /// <param name="roundLikeLlamaCpp">Round activations, KV cache and attention as llama.cpp does (false = exact F32, for tests).</param>
    public ForwardState(ModelConfig c, int contextLength, bool roundLikeLlamaCpp = true)
    {
        Hidden = new float[c.EmbeddingLength];
        Normed = new float[Math.Max(c.EmbeddingLength, c.HeadCount * c.ValueLength)];
        Query = new float[c.QueryLength];
        Key = new float[c.KeyValueKeyLength];
        Value = new float[c.KeyValueValueLength];
        AttentionOutput = new float[c.HeadCount * c.ValueLength];
        Gate = new float[c.FeedForwardLength];
        Up = new float[c.FeedForwardLength];
        Logits = new float[c.VocabSize];
        Cos = new float[c.RopeDimensionCount / 2];
        Sin = new float[c.RopeDimensionCount / 2];
        Cache = new KvCache(c.BlockCount, contextLength, c.KeyValueKeyLength, c.KeyValueValueLength, roundLikeLlamaCpp);
        Attention = new AttentionJob(c, Query, AttentionOutput, roundLikeLlamaCpp);
        MatVec = new MatVecJob(Math.Max(Math.Max(c.EmbeddingLength, c.FeedForwardLength), c.HeadCount * c.ValueLength), roundLikeLlamaCpp);
    }

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
    public float[] Cos { get; }
    public float[] Sin { get; }
    public KvCache Cache { get; }
    public MatVecJob MatVec { get; }
    public AttentionJob Attention { get; }
}
