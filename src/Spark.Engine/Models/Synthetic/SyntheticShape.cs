namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// Hyper-parameters of a synthetic model, copied from the real model's config.json (Hugging Face) so tensors and
/// metadata have exactly the real shapes.
/// </summary>
internal sealed record SyntheticShape(
    string Name,
    int Layers,
    int EmbeddingLength,
    int FeedForwardLength,
    int HeadCount,
    int HeadCountKv,
    int VocabSize,
    float RopeFreqBase,
    float RmsEpsilon,
    int ContextLength,
    Llama3RopeScaling? RopeScaling,
    SyntheticVocabularyKind Vocabulary)
{
    /// <summary>Dimension of one attention head.</summary>
    public int HeadDim => EmbeddingLength / HeadCount;

    /// <summary>Tiny: 2 layers, 64 wide; an SPM vocabulary of a few thousand tokens. Fast, for tests.</summary>
    public static readonly SyntheticShape Tiny = new(
        "tiny", Layers: 2, EmbeddingLength: 64, FeedForwardLength: 192, HeadCount: 4, HeadCountKv: 2,
        VocabSize: SyntheticVocabulary.TinySize, RopeFreqBase: 10000f, RmsEpsilon: 1e-5f, ContextLength: 8192,
        RopeScaling: null, SyntheticVocabularyKind.SentencePiece);

    /// <summary>Qwen2.5-0.5B (Qwen/Qwen2.5-0.5B-Instruct config.json); tied embeddings.</summary>
    public static readonly SyntheticShape Qwen25_05B = new(
        "qwen2.5-0.5b", Layers: 24, EmbeddingLength: 896, FeedForwardLength: 4864, HeadCount: 14, HeadCountKv: 2,
        VocabSize: 151936, RopeFreqBase: 1000000f, RmsEpsilon: 1e-6f, ContextLength: 32768,
        RopeScaling: null, SyntheticVocabularyKind.Qwen2Bpe);

    /// <summary>Llama-3.2-1B (meta-llama/Llama-3.2-1B config.json); tied embeddings, llama3 rope scaling.</summary>
    public static readonly SyntheticShape Llama32_1B = new(
        "llama-3.2-1b", Layers: 16, EmbeddingLength: 2048, FeedForwardLength: 8192, HeadCount: 32, HeadCountKv: 8,
        VocabSize: 128256, RopeFreqBase: 500000f, RmsEpsilon: 1e-5f, ContextLength: 131072,
        new Llama3RopeScaling(Factor: 32f, LowFreqFactor: 1f, HighFreqFactor: 4f, OriginalContextLength: 8192),
        SyntheticVocabularyKind.Llama3Bpe);

    /// <summary>Every shape, by name.</summary>
    public static readonly IReadOnlyList<SyntheticShape> All = [Tiny, Qwen25_05B, Llama32_1B];

    /// <summary>The accepted names, for error messages.</summary>
    public static string Names => string.Join(", ", All.Select(s => s.Name));

    /// <summary>The shape named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SyntheticShape? Find(string? name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
