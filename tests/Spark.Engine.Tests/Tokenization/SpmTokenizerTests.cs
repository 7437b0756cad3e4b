using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class SpmTokenizerTests
{
    private static Tokenizer Build(Func<TinyVocab, TinyVocab> configure) =>
        Tokenizer.FromGguf(configure(TinyVocab.Spm().AddByteTokens()).Metadata());

    [Theory]
    [InlineData(1f, 2f, new[] { "a", "bc" })]
    [InlineData(2f, 1f, new[] { "ab", "c" })]
    public void Encode_CompetingMerges_HigherScoreMergesFirst(float abScore, float bcScore, string[] expected)
    {
        var t = Build(v => v.Add("a").Add("b").Add("c").Add("ab", abScore).Add("bc", bcScore).Set("tokenizer.ggml.add_space_prefix", false));

        Assert.Equal(expected, t.Texts(t.Encode("abc", addSpecial: false, parseSpecial: false)));
    }

    [Fact]
    public void Encode_EqualScores_LeftmostPairMergesFirst()
    {
        var t = Build(v => v.Add("a").Add("aa", 1).Set("tokenizer.ggml.add_space_prefix", false));

        Assert.Equal(["aa", "a"], t.Texts(t.Encode("aaa", false, false)));
    }

    [Fact]
    public void Encode_Spaces_BecomeU2581WithLeadingPrefix()
    {
        var t = Build(v => v.Add("▁").Add("a").Add("b").Add("▁a", 1).Add("▁b", 1));

        Assert.Equal(["▁a", "▁b"], t.Texts(t.Encode("a b", false, false)));
    }

    [Fact]
    public void Encode_AddSpacePrefixFalse_NoLeadingU2581()
    {
        var t = Build(v => v.Add("▁").Add("a").Add("▁a", 1).Set("tokenizer.ggml.add_space_prefix", false));

        Assert.Equal(["a"], t.Texts(t.Encode("a", false, false)));
    }

    [Fact]
    public void Encode_CharacterNotInVocab_FallsBackToUtf8ByteTokens()
    {
        var t = Build(v => v.Add("▁").Set("tokenizer.ggml.add_space_prefix", false));

        // é is C3 A9; 🦙 is F0 9F A6 99 (a surrogate pair in UTF-16, one symbol)
        Assert.Equal(["<0xC3>", "<0xA9>", "<0xF0>", "<0x9F>", "<0xA6>", "<0x99>"], t.Texts(t.Encode("é🦙", false, false)));
    }

    [Fact]
    public void Encode_NoByteTokens_UsesUnknownToken()
    {
        var t = Tokenizer.FromGguf(TinyVocab.Spm().Add("a").Set("tokenizer.ggml.add_space_prefix", false).Metadata());

        Assert.Equal(["a", "<unk>", "<unk>"], t.Texts(t.Encode("aé", false, false)));
    }

    [Fact]
    public void Encode_AddSpecial_PrependsBosByDefault()
    {
        var t = Build(v => v.Add("▁").Add("a").Add("▁a", 1));

        Assert.True(t.AddBos);
        Assert.Equal(["<s>", "▁a"], t.Texts(t.Encode("a", addSpecial: true, parseSpecial: false)));
        Assert.Equal(["▁a"], t.Texts(t.Encode("a", addSpecial: false, parseSpecial: false)));
    }

    [Fact]
    public void Encode_AddBosFalseAddEosTrue_AppendsOnlyEos()
    {
        var t = Build(v => v.Add("▁").Add("a").Add("▁a", 1).Set("tokenizer.ggml.add_bos_token", false).Set("tokenizer.ggml.add_eos_token", true));

        Assert.Equal(["▁a", "</s>"], t.Texts(t.Encode("a", addSpecial: true, parseSpecial: false)));
    }

    [Fact]
    public void Encode_EmptyTextWithAddSpecial_OnlyBos()
    {
        var t = Build(v => v.Add("▁"));

        Assert.Equal([1], t.Encode("", addSpecial: true, parseSpecial: false));
        Assert.Empty(t.Encode("", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Model_SpmVocab_ReportsSpmAndDefaultIds()
    {
        var t = Build(v => v.Add("▁"));

        Assert.Equal("spm", t.Model);
        Assert.Equal(1, t.BosId);
        Assert.Equal(2, t.EosId);
        Assert.Equal(3 + 256 + 1, t.VocabSize);
    }

    [Fact]
    public void Encode_LongText_IsLinearithmicNotQuadratic()
    {
        var t = Build(v => v.Add("▁").Add("a").Add("b").Add("ab", 1).Add("▁ab", 2));
        string text = string.Concat(Enumerable.Repeat("ab ", 40_000)); // 120 KB

        var sw = System.Diagnostics.Stopwatch.StartNew();
        int[] ids = t.Encode(text, false, false);
        sw.Stop();

        Assert.Equal(40_001, ids.Length); // 40 000 × "▁ab", then the trailing "▁"
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Encode_LoneSurrogate_FallsBackToReplacementCharacterBytes()
    {
        var t = Build(v => v.Add("▁").Set("tokenizer.ggml.add_space_prefix", false));

        Assert.Equal(["<0xEF>", "<0xBF>", "<0xBD>"], t.Texts(t.Encode("\uDC00", false, false)));
    }
}
