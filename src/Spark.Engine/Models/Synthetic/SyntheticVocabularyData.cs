using Spark.Engine.Gguf;

namespace Spark.Engine.Models.Synthetic;

/// <summary>The <c>tokenizer.*</c> metadata of a synthetic model and its token count.</summary>
internal sealed record SyntheticVocabularyData(int Size, IReadOnlyList<(string Key, GgufValue Value)> Metadata)
{
    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public GgufValue? Find(string key) => Metadata.FirstOrDefault(m => m.Key == key).Value;
}
