using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class BpeTokenizerTests
{
    [Fact]
    public void Encode_CompetingMerges_LowestRankMergesFirst()
    {
        var bcFirst = Tokenizer.FromGguf(TinyVocab.Bpe().AddByteLevelAlphabet().Add("ab").Add("bc").Merge("b", "c").Merge("a", "b").Metadata());
        var abFirst = Tokenizer.FromGguf(TinyVocab.Bpe().AddByteLevelAlphabet().Add("ab").Add("bc").Merge("a", "b").Merge("b", "c").Metadata());

        Assert.Equal(["a", "bc"], bcFirst.Texts(bcFirst.Encode("abc", false, false)));
        Assert.Equal(["ab", "c"], abFirst.Texts(abFirst.Encode("abc", false, false)));
    }

    [Fact]
    public void Encode_MergesChain_BuildsLongerTokensFromMergedOnes()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe().AddByteLevelAlphabet().Add("ab").Add("abc").Merge("a", "b").Merge("ab", "c").Metadata());

        Assert.Equal(["abc", "ab"], t.Texts(t.Encode("abcab", false, false)));
    }

    [Fact]
    public void Encode_Gpt2PreTokenizer_SpaceJoinsTheFollowingWordAsG()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe().AddByteLevelAlphabet().Add("Ġa").Merge("Ġ", "a").Metadata());

        // "a a": pieces "a" and " a"; the space is byte 0x20, shown as Ġ
        Assert.Equal(["a", "Ġa"], t.Texts(t.Encode("a a", false, false)));
    }

    [Fact]
    public void Encode_MultiByteCharacter_EncodesItsUtf8BytesThroughTheByteMap()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe().AddByteLevelAlphabet().Metadata());

        // é = C3 A9 → 'Ã' (U+00C3) and '©' (U+00A9)
        Assert.Equal(["Ã", "©"], t.Texts(t.Encode("é", false, false)));
    }

    [Fact]
    public void Encode_Llama3WordThatIsAToken_EmittedWholeIgnoringMerges()
    {
        var llama3 = Tokenizer.FromGguf(TinyVocab.Bpe("llama3").AddByteLevelAlphabet().Add("abc").Add("<|begin_of_text|>", 0, TinyVocab.Control)
            .Set("tokenizer.ggml.bos_token_id", 257).Metadata());
        var gpt2 = Tokenizer.FromGguf(TinyVocab.Bpe("gpt-2").AddByteLevelAlphabet().Add("abc").Metadata());

        Assert.Equal(["abc"], llama3.Texts(llama3.Encode("abc", false, false)));
        Assert.Equal(["a", "b", "c"], gpt2.Texts(gpt2.Encode("abc", false, false)));
    }

    [Fact]
    public void Encode_Llama3AddSpecial_PrependsBosByDefault()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe("llama-bpe").AddByteLevelAlphabet().Add("<|begin_of_text|>", 0, TinyVocab.Control)
            .Set("tokenizer.ggml.bos_token_id", 256).Metadata());

        Assert.True(t.AddBos);
        Assert.Equal([256, t.Id("a")], t.Encode("a", addSpecial: true, parseSpecial: false));
    }

    [Fact]
    public void Encode_Qwen2AddSpecial_NoBosByDefault()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe("qwen2").AddByteLevelAlphabet().Metadata());

        Assert.False(t.AddBos);
        Assert.Equal([t.Id("a")], t.Encode("a", addSpecial: true, parseSpecial: false));
    }

    [Fact]
    public void Model_BpeVocab_ReportsBpeAndPreTokenizerName()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe("qwen2").AddByteLevelAlphabet().Metadata());

        Assert.Equal("bpe", t.Model);
        Assert.Equal("qwen2", t.PreTokenizer);
        Assert.Contains("qwen2", Tokenizer.SupportedPreTokenizers);
    }

    [Fact]
    public void Encode_MissingPreKey_UsesDefaultPreTokenizer()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe(pre: null).AddByteLevelAlphabet().Metadata());

        Assert.Equal("default", t.PreTokenizer);
        Assert.Equal(["1", "2", "3"], t.Texts(t.Encode("123", false, false)));
    }

    [Fact]
    public void Encode_LongText_FinishesQuickly()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe("qwen2").AddByteLevelAlphabet().Add("Ġab").Add("ab").Merge("a", "b").Merge("Ġ", "ab").Metadata());
        string text = string.Concat(Enumerable.Repeat("ab ", 34_000)) + "ab"; // 102 KB

        var sw = System.Diagnostics.Stopwatch.StartNew();
        int[] ids = t.Encode(text, false, false);
        sw.Stop();

        Assert.Equal(34_001, ids.Length);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Encode_LoneSurrogate_EncodedAsReplacementCharacterBytes()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Bpe("llama3").AddByteLevelAlphabet().Add("<|begin_of_text|>", 0, TinyVocab.Control)
            .Set("tokenizer.ggml.bos_token_id", 256).Metadata());

        int[] ids = t.Encode("a\uD800b", addSpecial: false, parseSpecial: false);

        Assert.Equal("a\uFFFDb", t.Decode(ids));
    }
}
