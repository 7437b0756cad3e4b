using System.Runtime.InteropServices;
using Spark.Engine.Gguf;
using Spark.Engine.Kernels;
using Spark.Engine.Threading;

namespace Spark.Engine.Models;

/// <summary>
/// The decoder-only transformer forward pass shared by llama and qwen2: RMSNorm, grouped-query attention with
/// RoPE (NORM or NEOX pairs) and optional q/k/v biases, SwiGLU feed-forward, and an output projection that may be
/// tied to the token embedding. The architectures differ only in what <see cref="ModelConfig"/> and
/// <see cref="ModelWeights"/> hold.
/// </summary>
internal sealed class Transformer
{
    /// <summary>Operations smaller than this many multiply-adds run on the calling thread: waking workers costs more.</summary>
    private const long ParallelThreshold = 1 << 16;

    private readonly double[] _inverseFrequencies;
    private readonly object _poolGate = new();

    public Transformer(GgufFile file, WorkerPool pool)
    {
        Config = ModelConfig.FromGguf(file);
        if (Config.KeyLength > Attention.MaxHeadDim)
            throw new NotSupportedException($"head dimension {Config.KeyLength} exceeds the supported {Attention.MaxHeadDim}");
        Weights = ModelWeights.Load(file, Config);
        Pool = pool;
        _inverseFrequencies = Rope.InverseFrequencies(Config.RopeDimensionCount, Config.RopeFreqBase, Config.RopeFreqScale,
            Weights.RopeFrequencyFactors);
    }

    public ModelConfig Config { get; }
    public ModelWeights Weights { get; }
    public WorkerPool Pool { get; }

    /// <summary>
    /// Runs <paramref name="token"/> at the next position of <paramref name="s"/>'s cache and, when
    /// <paramref name="computeLogits"/>, leaves the next-token logits in <see cref="ForwardState.Logits"/>.
    /// </summary>
    public void Forward(int token, ForwardState s, bool computeLogits = true) =>
        ForwardBatch(MemoryMarshal.CreateReadOnlySpan(ref token, 1), s, computeLogits);

    /// <summary>
    /// Runs <paramref name="tokens"/> (1 to <see cref="ForwardState.MaxBatch"/>) at the next positions of
    /// <paramref name="s"/>'s cache through every layer at once: the projections multiply the whole batch by each
    /// weight matrix (<see cref="MatMulJob"/>), so the weights are read once per batch instead of once per token, and
    /// attention is causal (each token sees the positions up to its own). When <paramref name="computeLogits"/>,
    /// leaves the logits after the last token in <see cref="ForwardState.Logits"/> (prefill skips them for all but
    /// its last chunk: the output projection is often the largest matrix). Gives the same results as running the
    /// tokens one by one through <see cref="Forward"/>.
    /// </summary>
    public void ForwardBatch(ReadOnlySpan<int> tokens, ForwardState s, bool computeLogits = true)
    {
        var c = Config;
        var cache = s.Cache;
        int position = cache.Length, count = tokens.Length;
        if ((uint)(count - 1) >= (uint)s.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(tokens), count, $"a forward pass takes 1 to {s.MaxBatch} tokens");
        if (count > cache.Capacity - position)
            throw new InvalidOperationException($"the context is full: {position} of {cache.Capacity} positions are in use and {count} more do not fit; reset or truncate the session, or load with a larger ContextLength");
        foreach (int token in tokens)
            if ((uint)token >= (uint)c.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id must be in [0, {c.VocabSize})");

        lock (_poolGate)
        {
            int e = c.EmbeddingLength, pairs = c.RopeDimensionCount / 2;
            for (int i = 0; i < count; i++)
            {
                Weights.TokenEmbedding.Row(tokens[i], s.Hidden.AsSpan(i * e, e));
                Rope.Angles(position + i, _inverseFrequencies, s.Cos.AsSpan(i * pairs, pairs), s.Sin.AsSpan(i * pairs, pairs));
            }
            for (int l = 0; l < c.BlockCount; l++) Block(l, position, count, s);

            if (computeLogits)
            {
                RmsNorm.Apply(s.Hidden.AsSpan((count - 1) * e, e), Weights.OutputNorm, c.RmsEpsilon, s.Normed.AsSpan(0, e));
                s.MatVec.Set(s.Normed, Weights.Output, s.Logits);
                Run(s.MatVec, s.MatVec.Work);
            }
            cache.Advance(count);
        }
    }

    private void Run(IParallelWork work, long multiplyAdds)
    {
        if (multiplyAdds < ParallelThreshold) work.Execute(0, 1);
        else Pool.Run(work);
    }

    private void RunMatMul(MatMulJob job)
    {
        Run(job.Rounding, job.Work);
        Run(job, job.Work);
    }

    /// <summary>Y = X·Wᵀ for <paramref name="count"/> packed input rows: a matvec for one row, a matmul for more.</summary>
    private void Project(ForwardState s, float[] input, int count, WeightMatrix m0, float[] y0)
    {
        if (count == 1) { s.MatVec.Set(input, m0, y0); Run(s.MatVec, s.MatVec.Work); }
        else { s.MatMul.Set(input, count, m0, y0); RunMatMul(s.MatMul); }
    }

    private void Project(ForwardState s, float[] input, int count, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1)
    {
        if (count == 1) { s.MatVec.Set(input, m0, y0, m1, y1); Run(s.MatVec, s.MatVec.Work); }
        else { s.MatMul.Set(input, count, m0, y0, m1, y1); RunMatMul(s.MatMul); }
    }

    private void Project(ForwardState s, float[] input, int count, WeightMatrix m0, float[] y0, WeightMatrix m1, float[] y1, WeightMatrix m2, float[] y2)
    {
        if (count == 1) { s.MatVec.Set(input, m0, y0, m1, y1, m2, y2); Run(s.MatVec, s.MatVec.Work); }
        else { s.MatMul.Set(input, count, m0, y0, m1, y1, m2, y2); RunMatMul(s.MatMul); }
    }

    private void Block(int layer, int first, int count, ForwardState s)
    {
        var c = Config;
        var w = Weights.Layers[layer];
        int e = c.EmbeddingLength, pairs = c.RopeDimensionCount / 2, ff = c.FeedForwardLength;
        int ql = c.QueryLength, kl = c.KeyValueKeyLength, vl = c.KeyValueValueLength;
        var hidden = s.Hidden.AsSpan(0, count * e);
        var normed = s.Normed.AsSpan(0, count * e);

        // Attention: x += Wo · attend(rope(Wq·n + bq), rope(Wk·n + bk), Wv·n + bv), n = RMSNorm(x).
        for (int i = 0; i < count; i++) RmsNorm.Apply(hidden.Slice(i * e, e), w.AttentionNorm, c.RmsEpsilon, normed.Slice(i * e, e));
        Project(s, s.Normed, count, w.Query, s.Query, w.Key, s.Key, w.Value, s.Value);
        for (int i = 0; i < count; i++)
        {
            var q = s.Query.AsSpan(i * ql, ql);
            var k = s.Key.AsSpan(i * kl, kl);
            var v = s.Value.AsSpan(i * vl, vl);
            if (w.QueryBias != null) Activations.AddInPlace(q, w.QueryBias);
            if (w.KeyBias != null) Activations.AddInPlace(k, w.KeyBias);
            if (w.ValueBias != null) Activations.AddInPlace(v, w.ValueBias);
            var cos = s.Cos.AsSpan(i * pairs, pairs);
            var sin = s.Sin.AsSpan(i * pairs, pairs);
            Rope.Apply(q, c.KeyLength, cos, sin, c.RopeStyle);
            Rope.Apply(k, c.KeyLength, cos, sin, c.RopeStyle);
            s.Cache.Store(layer, first + i, k, v);
        }
        s.Attention.Set(s.Cache, layer, first, count);
        Run(s.Attention, s.Attention.Work);
        s.Attention.Combine();
        Project(s, s.AttentionOutput, count, w.AttentionOutput, s.Normed);
        Activations.AddInPlace(hidden, normed);

        // Feed-forward: x += Wdown · (SiLU(Wgate·n) ⊙ Wup·n), n = RMSNorm(x).
        for (int i = 0; i < count; i++) RmsNorm.Apply(hidden.Slice(i * e, e), w.FeedForwardNorm, c.RmsEpsilon, normed.Slice(i * e, e));
        Project(s, s.Normed, count, w.Gate, s.Gate, w.Up, s.Up);
        Activations.SwiGlu(s.Gate.AsSpan(0, count * ff), s.Up);
        Project(s, s.Gate, count, w.Down, s.Normed);
        Activations.AddInPlace(hidden, normed);
    }
}
