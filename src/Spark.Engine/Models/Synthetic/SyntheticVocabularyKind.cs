namespace Spark.Engine.Models.Synthetic;

/// <summary>Which kind of vocabulary a shape gets when none is copied from a file.</summary>
internal enum SyntheticVocabularyKind
{
    /// <summary>SentencePiece-style (<c>tokenizer.ggml.model = "llama"</c>), a few thousand tokens.</summary>
    SentencePiece,
    /// <summary>Byte-level BPE like Qwen2/2.5 (<c>pre = "qwen2"</c>, ChatML specials), 151,936 tokens.</summary>
    Qwen2Bpe,
    /// <summary>Byte-level BPE like Llama 3 (<c>pre = "llama-bpe"</c>, header/eot specials), 128,256 tokens.</summary>
    Llama3Bpe,
}
