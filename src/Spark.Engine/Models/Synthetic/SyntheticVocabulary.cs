using Spark.Engine.Gguf;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// The vocabulary of a synthetic model: copied from a GGUF file (<see cref="SyntheticModelSpec.VocabPath"/>) or
/// synthesized in llama.cpp's format (SentencePiece for the tiny shape, byte-level BPE of the real size otherwise).
/// Synthesized vocabularies depend on nothing but the kind, so each is built once per process.
/// </summary>
internal static class SyntheticVocabulary
{
    /// <summary>Token count of the tiny shape's SentencePiece vocabulary.</summary>
    public const int TinySize = 2048;

    private static readonly Lazy<SyntheticVocabularyData> s_spm = new(() => SpmVocabularyBuilder.Build(TinySize));
    private static readonly Lazy<SyntheticVocabularyData> s_qwen2 = new(() => BpeVocabularyBuilder.Build(SyntheticVocabularyKind.Qwen2Bpe));
    private static readonly Lazy<SyntheticVocabularyData> s_llama3 = new(() => BpeVocabularyBuilder.Build(SyntheticVocabularyKind.Llama3Bpe));

    /// <summary>The vocabulary for <paramref name="spec"/>.</summary>
    public static SyntheticVocabularyData Create(SyntheticModelSpec spec, SyntheticShape shape) =>
        spec.VocabPath is { } path ? Copy(path) : Synthesize(shape.Vocabulary);

    /// <summary>A synthesized vocabulary of <paramref name="kind"/>.</summary>
    public static SyntheticVocabularyData Synthesize(SyntheticVocabularyKind kind) => kind switch
    {
        SyntheticVocabularyKind.SentencePiece => s_spm.Value,
        SyntheticVocabularyKind.Qwen2Bpe => s_qwen2.Value,
        SyntheticVocabularyKind.Llama3Bpe => s_llama3.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Every <c>tokenizer.*</c> key of the GGUF file at <paramref name="path"/>, in file order.</summary>
    public static SyntheticVocabularyData Copy(string path)
    {
        using var file = GgufFile.Open(path);
        var metadata = file.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal))
            .Select(kv => (kv.Key, kv.Value)).ToList();
        int size = file.Metadata.ContainsKey("tokenizer.ggml.tokens")
            ? file.Metadata["tokenizer.ggml.tokens"].ArrayLength
            : throw new ArgumentException($"vocabulary file '{path}' has no tokenizer.ggml.tokens array");
        if (size == 0) throw new ArgumentException($"vocabulary file '{path}' has an empty tokenizer.ggml.tokens array");
        return new SyntheticVocabularyData(size, metadata);
    }

    internal static (string, GgufValue) Entry(string key, string value) => (key, new GgufValue(GgufValueType.String, value));

    internal static (string, GgufValue) Entry(string key, uint value) => (key, new GgufValue(GgufValueType.UInt32, value));

    internal static (string, GgufValue) Entry(string key, bool value) => (key, new GgufValue(GgufValueType.Bool, value));

    internal static (string, GgufValue) Entry(string key, string[] value) => (key, new GgufValue(GgufValueType.Array, value, GgufValueType.String));

    internal static (string, GgufValue) Entry(string key, int[] value) => (key, new GgufValue(GgufValueType.Array, value, GgufValueType.Int32));

    internal static (string, GgufValue) Entry(string key, float[] value) => (key, new GgufValue(GgufValueType.Array, value, GgufValueType.Float32));
}
