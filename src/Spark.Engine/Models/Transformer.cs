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
    /// <paramref name="computeLogits"/>, leaves the next-token logits in <see cref="ForwardState.Logits"/> (prefill
    /// skips them for all but its last token: the output projection is often the largest matrix).
    /// </summary>
    public void Forward(int token, ForwardState s, bool computeLogits = true)
    {
        var c = Config;
        var cache = s.Cache;
        int position = cache.Length;
        if (position >= cache.Capacity)
            throw new InvalidOperationException($"the context is full: {cache.Capacity} positions are in use; reset or truncate the session, or load with a larger ContextLength");
        if ((uint)token >= (uint)c.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be in [0, {c.VocabSize})");

        lock (_poolGate)
        {
            Weights.TokenEmbedding.Row(token, s.Hidden);
            Rope.Angles(position, _inverseFrequencies, s.Cos, s.Sin);
            for (int l = 0; l < c.BlockCount; l++) Block(l, position, s);

            if (computeLogits)
            {
                RmsNorm.Apply(s.Hidden, Weights.OutputNorm, c.RmsEpsilon, s.Hidden);
                s.MatVec.Set(s.Hidden, Weights.Output, s.Logits);
                Run(s.MatVec, s.MatVec.Work);
            }
            cache.Advance();
        }
    }

    private void Run(IParallelWork work, long multiplyAdds)
    {
        if (multiplyAdds < ParallelThreshold) work.Execute(0, 1);
        else Pool.Run(work);
    }

    private void Block(int layer, int position, ForwardState s)
    {
        var c = Config;
        var w = Weights.Layers[layer];
        var hidden = s.Hidden.AsSpan();
        var normed = s.Normed.AsSpan(0, c.EmbeddingLength);

        // Attention: x += Wo · attend(rope(Wq·n + bq), rope(Wk·n + bk), Wv·n + bv), n = RMSNorm(x).
        RmsNorm.Apply(hidden, w.AttentionNorm, c.RmsEpsilon, normed);
        s.MatVec.Set(s.Normed, w.Query, s.Query, w.Key, s.Key, w.Value, s.Value);
        Run(s.MatVec, s.MatVec.Work);
        if (w.QueryBias != null) Activations.AddInPlace(s.Query, w.QueryBias);
        if (w.KeyBias != null) Activations.AddInPlace(s.Key, w.KeyBias);
        if (w.ValueBias != null) Activations.AddInPlace(s.Value, w.ValueBias);
        Rope.Apply(s.Query, c.KeyLength, s.Cos, s.Sin, c.RopeStyle);
        Rope.Apply(s.Key, c.KeyLength, s.Cos, s.Sin, c.RopeStyle);
        s.Cache.Store(layer, position, s.Key, s.Value);
        s.Attention.Set(s.Cache, layer, position + 1);
        Run(s.Attention, s.Attention.Work);
        s.MatVec.Set(s.AttentionOutput, w.AttentionOutput, s.Normed);
        Run(s.MatVec, s.MatVec.Work);
        Activations.AddInPlace(hidden, normed);

        // Feed-forward: x += Wdown · (SiLU(Wgate·n) ⊙ Wup·n), n = RMSNorm(x).
        RmsNorm.Apply(hidden, w.FeedForwardNorm, c.RmsEpsilon, normed);
        s.MatVec.Set(s.Normed, w.Gate, s.Gate, w.Up, s.Up);
        Run(s.MatVec, s.MatVec.Work);
        Activations.SwiGlu(s.Gate, s.Up);
        s.MatVec.Set(s.Gate, w.Down, s.Normed);
        Run(s.MatVec, s.MatVec.Work);
        Activations.AddInPlace(hidden, normed);
    }
}
