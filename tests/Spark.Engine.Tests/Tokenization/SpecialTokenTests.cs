using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class SpecialTokenTests
{
    // byte-level alphabet (ids 0..255), then the special tokens
    private static Tokenizer Chat() => Tokenizer.FromGguf(TinyVocab.Bpe("qwen2").AddByteLevelAlphabet()
        .Add("<|im_start|>", 0, TinyVocab.Control)      // 256
        .Add("<|im_end|>", 0, TinyVocab.Control)        // 257
        .Add("<|endoftext|>", 0, TinyVocab.Control)     // 258
        .Add("<tool>", 0, TinyVocab.UserDefined)        // 259
        .Add("<tool>x", 0, TinyVocab.Control)           // 260
        .Set("tokenizer.ggml.eos_token_id", 258)
        .Metadata());

    [Fact]
    public void Encode_ParseSpecial_ControlTextBecomesItsToken()
    {
        var t = Chat();

        Assert.Equal([256, t.Id("a"), 257], t.Encode("<|im_start|>a<|im_end|>", addSpecial: false, parseSpecial: true));
    }

    [Fact]
    public void Encode_WithoutParseSpecial_ControlTextIsPlainText()
    {
        var t = Chat();

        int[] ids = t.Encode("<|im_end|>", addSpecial: false, parseSpecial: false);

        Assert.DoesNotContain(257, ids);
        Assert.Equal("<|im_end|>", t.Decode(ids));
    }

    [Fact]
    public void Encode_UserDefinedToken_MatchedEvenWithoutParseSpecial()
    {
        var t = Chat();

        Assert.Equal([t.Id("a"), 259, t.Id("b")], t.Encode("a<tool>b", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_OverlappingSpecialTokens_LongestTextWins()
    {
        var t = Chat();

        Assert.Equal([260, t.Id("y")], t.Encode("<tool>xy", addSpecial: false, parseSpecial: true));
        Assert.Equal([259, t.Id("x"), t.Id("y")], t.Encode("<tool>xy", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_RepeatedSpecialTokens_EachOccurrenceSplit()
    {
        var t = Chat();

        Assert.Equal([257, 257, t.Id("a"), 257], t.Encode("<|im_end|><|im_end|>a<|im_end|>", false, true));
    }

    [Fact]
    public void Encode_SpmTextAfterSpecialToken_GetsSpacePrefixAgain()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Spm().AddByteTokens().Add("▁").Add("a").Add("▁a", 1).Add("a▁", 0.5f).Metadata());

        Assert.Equal(["▁a", "</s>", "▁a"], t.Texts(t.Encode("a</s>a", addSpecial: false, parseSpecial: true)));
    }

    [Fact]
    public void IsEndOfGeneration_EosAndEndOfTurnTokens_True()
    {
        var t = Chat();

        Assert.Equal(258, t.EosId);
        Assert.Equal(257, t.EotId); // <|im_end|> detected by text, as llama.cpp
        Assert.True(t.IsEndOfGeneration(257));
        Assert.True(t.IsEndOfGeneration(258));
        Assert.False(t.IsEndOfGeneration(256));
        Assert.False(t.IsEndOfGeneration(t.Id("a")));
    }

    [Fact]
    public void IsEndOfGeneration_EotAndEomFromMetadata_True()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Spm().Add("<stop>", 0, TinyVocab.Control).Add("<msg>", 0, TinyVocab.Control)
            .Set("tokenizer.ggml.eot_token_id", 3).Set("tokenizer.ggml.eom_token_id", 4).Metadata());

        Assert.True(t.IsEndOfGeneration(2)); // </s>, the default EOS
        Assert.True(t.IsEndOfGeneration(3));
        Assert.True(t.IsEndOfGeneration(4));
        Assert.False(t.IsEndOfGeneration(1));
    }

    [Fact]
    public void Encode_Phi3ControlToken_SwallowsFollowingWhitespace()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Spm().AddByteTokens().Add("▁").Add("a").Add("▁a", 1).Add("<|user|>", 0, TinyVocab.Control)
            .Set("general.name", "Phi3").Metadata());

        Assert.Equal(["<|user|>", "▁a"], t.Texts(t.Encode("<|user|>\n a", addSpecial: false, parseSpecial: true)));
    }
}
