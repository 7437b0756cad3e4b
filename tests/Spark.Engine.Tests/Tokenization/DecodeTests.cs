using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class DecodeTests
{
    private static Tokenizer Spm() => Tokenizer.FromGguf(TinyVocab.Spm().AddByteTokens()
        .Add("▁").Add("h").Add("i").Add("▁hi", 2).Add("hi", 1).Metadata());

    private static Tokenizer Gpt2() => Tokenizer.FromGguf(TinyVocab.Bpe("gpt-2").AddByteLevelAlphabet()
        .Add("Ġworld").Add("Ġw").Add("Ġwo").Add("Ġwor").Add("Ġworl").Merge("Ġ", "w").Merge("Ġw", "o").Merge("Ġwo", "r").Merge("Ġwor", "l").Merge("Ġworl", "d")
        .Add("<|endoftext|>", 0, TinyVocab.Control).Metadata());

    [Theory]
    [InlineData("hi hi")]
    [InlineData("héllo 🦙 wörld\n\tend")]
    [InlineData("  two leading spaces")]
    public void Decode_SpmEncodeRoundTrip_ReturnsTheText(string text)
    {
        var t = Spm();

        Assert.Equal(text, t.Decode(t.Encode(text, addSpecial: false, parseSpecial: false)));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("héllo 🦙 wörld\n\tend 123")]
    [InlineData("  spaces  ")]
    public void Decode_BpeEncodeRoundTrip_ReturnsTheText(string text)
    {
        var t = Gpt2();

        Assert.Equal(text, t.Decode(t.Encode(text, addSpecial: false, parseSpecial: false)));
    }

    [Fact]
    public void TokenBytes_SpmPieces_SpaceForU2581AndByteForHexToken()
    {
        var t = Spm();

        Assert.Equal(" hi"u8.ToArray(), t.TokenBytes(t.Id("▁hi")));
        Assert.Equal(new byte[] { 0xC3 }, t.TokenBytes(t.Id("<0xC3>")));
    }

    [Fact]
    public void TokenBytes_BpePiece_MapsByteLevelCharactersBack()
    {
        var t = Gpt2();

        Assert.Equal(" world"u8.ToArray(), t.TokenBytes(t.Id("Ġworld")));
        Assert.Equal(new byte[] { 0x0A }, t.TokenBytes(t.Id("Ċ")));
    }

    [Fact]
    public void TokenBytes_ControlToken_EmptyUnlessRenderSpecial()
    {
        var t = Gpt2();
        int eot = t.Id("<|endoftext|>");

        Assert.Empty(t.TokenBytes(eot));
        Assert.Equal("<|endoftext|>"u8.ToArray(), t.TokenBytes(eot, renderSpecial: true));
        Assert.Equal("a", t.Decode([t.Id("a"), eot]));
        Assert.Equal("a<|endoftext|>", t.Decode([t.Id("a"), eot], renderSpecial: true));
    }

    [Fact]
    public void Decode_Gpt2CleanSpaces_RemovesSpaceBeforePunctuation()
    {
        var t = Gpt2();

        Assert.Equal("a. b", t.Decode([t.Id("a"), t.Id("Ġ"), t.Id("."), t.Id("Ġ"), t.Id("b")]));
    }

    [Fact]
    public void Decode_SplitMultiByteCharacter_InvalidBytesBecomeReplacement()
    {
        var t = Spm();

        Assert.Equal("\uFFFDh", t.Decode([t.Id("<0xC3>"), t.Id("h")]));
    }

    [Fact]
    public void TokenText_IdOutOfRange_ThrowsNamingTheRange()
    {
        var t = Spm();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => t.TokenText(t.VocabSize));
        Assert.Contains($"token id {t.VocabSize} is outside the vocabulary (0..{t.VocabSize - 1})", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([-1]));
    }
}
