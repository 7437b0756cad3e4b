using Spark.Engine.Gguf;
using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class TokenizerLoadErrorTests
{
    private static TokenizerException Fails(TinyVocab vocab) =>
        Assert.Throws<TokenizerException>(() => Tokenizer.FromGguf(vocab.Metadata()));

    [Fact]
    public void FromGguf_NoModelKey_SaysTheFileHasNoTokenizer()
    {
        var e = Fails(TinyVocab.WithModel(null).Add("a"));

        Assert.Contains("GGUF metadata has no 'tokenizer.ggml.model'", e.Message);
        Assert.Contains("'llama'", e.Message);
        Assert.Contains("'gpt2'", e.Message);
    }

    [Fact]
    public void FromGguf_UnsupportedModel_NamesItAndListsSupported()
    {
        var e = Fails(TinyVocab.WithModel("bert").Add("a"));

        Assert.StartsWith("tokenizer model 'bert' (tokenizer.ggml.model) is not supported; Spark supports 'llama'", e.Message);
    }

    [Fact]
    public void FromGguf_UnsupportedPreTokenizer_NamesItAndListsSupported()
    {
        var e = Fails(TinyVocab.Bpe("kimi-k2").AddByteLevelAlphabet());

        Assert.StartsWith("pre-tokenizer 'kimi-k2' (tokenizer.ggml.pre) is not supported; Spark supports: ", e.Message);
        Assert.Contains("llama-bpe", e.Message);
        Assert.Contains("qwen2", e.Message);
        Assert.Contains("deepseek-coder", e.Message);
    }

    [Fact]
    public void FromGguf_BpeWithoutMerges_SaysMergesAreNeeded()
    {
        var e = Fails(TinyVocab.Bpe().AddByteLevelAlphabet().Without("tokenizer.ggml.merges"));

        Assert.Equal("GGUF metadata has no 'tokenizer.ggml.merges'; a 'gpt2' (byte-level BPE) tokenizer needs its merge rules", e.Message);
    }

    [Fact]
    public void FromGguf_NoTokens_SaysTheVocabularyIsMissing()
    {
        var e = Fails(TinyVocab.Spm().Without("tokenizer.ggml.tokens"));

        Assert.Equal("GGUF metadata has no 'tokenizer.ggml.tokens' (the vocabulary)", e.Message);
    }

    [Fact]
    public void FromGguf_EmptyTokens_SaysAtLeastOneIsNeeded()
    {
        var e = Fails(TinyVocab.WithModel("llama").Without("tokenizer.ggml.scores").Without("tokenizer.ggml.token_type"));

        Assert.Equal("'tokenizer.ggml.tokens' is empty; a tokenizer needs at least one token", e.Message);
    }

    [Fact]
    public void FromGguf_ScoresShorterThanTokens_GivesBothCounts()
    {
        var e = Fails(TinyVocab.Spm().Without("tokenizer.ggml.scores").With(w => w.Set("tokenizer.ggml.scores", new[] { 0f })));

        Assert.Equal("'tokenizer.ggml.scores' has 1 entries but 'tokenizer.ggml.tokens' has 3", e.Message);
    }

    [Fact]
    public void FromGguf_TokenTypesShorterThanTokens_GivesBothCounts()
    {
        var e = Fails(TinyVocab.Spm().Without("tokenizer.ggml.token_type").With(w => w.Set("tokenizer.ggml.token_type", new[] { 1, 1 })));

        Assert.Equal("'tokenizer.ggml.token_type' has 2 entries but 'tokenizer.ggml.tokens' has 3", e.Message);
    }

    [Fact]
    public void FromGguf_AddBosWithoutBosToken_SaysWhichKeyIsMissing()
    {
        // glm4 has no default BOS (other gpt2 families default to id 11, which exists in any 256-token vocabulary)
        var e = Fails(TinyVocab.Bpe("glm4").AddByteLevelAlphabet().Set("tokenizer.ggml.add_bos_token", true));

        Assert.Equal("'tokenizer.ggml.add_bos_token' is true, but the vocabulary has no BOS token ('tokenizer.ggml.bos_token_id' is not set)", e.Message);
    }

    [Fact]
    public void FromGguf_AddEosWithoutEosToken_SaysWhichKeyIsMissing()
    {
        var e = Fails(TinyVocab.WithModel("llama").Add("a").Set("tokenizer.ggml.add_eos_token", true).Set("tokenizer.ggml.add_bos_token", false));

        Assert.Equal("'tokenizer.ggml.add_eos_token' is true, but the vocabulary has no EOS token ('tokenizer.ggml.eos_token_id' is not set)", e.Message);
    }

    [Fact]
    public void FromGguf_SpecialIdOutOfRange_KeepsTheDefault()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Spm().Set("tokenizer.ggml.bos_token_id", 99).Metadata());

        Assert.Equal(1, t.BosId);
    }

    [Fact]
    public void FromGguf_MistypedTokens_ReportsTheKeyAndType()
    {
        var e = Assert.Throws<GgufFormatException>(() => Tokenizer.FromGguf(TinyVocab.Spm().Without("tokenizer.ggml.tokens")
            .With(w => w.Set("tokenizer.ggml.tokens", new[] { 1, 2, 3 })).Metadata()));

        Assert.Contains("metadata key 'tokenizer.ggml.tokens' should be an array of strings", e.Message);
    }

    [Fact]
    public void FromGguf_NullMetadata_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizer.FromGguf(null!));
    }

    [Fact]
    public void Encode_NullText_ThrowsArgumentNull()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Spm().Metadata());

        Assert.Throws<ArgumentNullException>(() => t.Encode(null!, false, false));
    }
}
