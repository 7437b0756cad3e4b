using Spark.Engine.Tokenization;

namespace Spark.Engine.Tests.Tokenization;

public class PreTokenizerTests
{
    private static string[] Split(string pre, string text)
    {
        var pieces = new List<(int Start, int Length)>();
        PreTokenizerCatalog.Create(pre)!.Split(text, pieces);
        return pieces.Select(p => text.Substring(p.Start, p.Length)).ToArray();
    }

    [Fact]
    public void Split_SupplementaryLetters_StayInTheWord()
    {
        // 𝐀𝐁 are U+1D400/U+1D401 (Lu), surrogate pairs in UTF-16; 𠀀 is U+20000 (Lo)
        Assert.Equal(["x𝐀𝐁", " y𠀀"], Split("llama3", "x𝐀𝐁 y𠀀"));
        Assert.Equal(["x𝐀𝐁", " y𠀀"], Split("gpt-2", "x𝐀𝐁 y𠀀"));
    }

    [Fact]
    public void Split_SupplementaryDigits_GroupedByCodePoint()
    {
        // 𝟙𝟚𝟛𝟜 are mathematical digits (Nd) above U+FFFF
        Assert.Equal(["𝟙𝟚𝟛", "𝟜"], Split("llama3", "𝟙𝟚𝟛𝟜"));
        Assert.Equal(["𝟙", "𝟚", "𝟛", "𝟜"], Split("qwen2", "𝟙𝟚𝟛𝟜"));
    }

    [Fact]
    public void Split_Emoji_IsNotALetter()
    {
        Assert.Equal(["a", " 🦙.", "cpp"], Split("llama3", "a 🦙.cpp"));
        Assert.Equal(["a", " 🦙", "b"], Split("llama3", "a 🦙b"));
    }

    [Fact]
    public void Split_Llama3Contractions_CaseInsensitive()
    {
        Assert.Equal(["I", "'VE", " been"], Split("llama3", "I'VE been"));
        Assert.Equal(["I", "'", "VE", " been"], Split("gpt-2", "I'VE been"));
    }

    [Fact]
    public void Split_TrailingSpaces_LastSpaceJoinsTheNextWord()
    {
        Assert.Equal(["a", "  ", " b", "  "], Split("gpt-2", "a   b  "));
    }

    [Fact]
    public void Split_StarcoderDigits_OneAtATimeBeforeGpt2Pattern()
    {
        Assert.Equal(["a", " ", "1", "2"], Split("starcoder", "a 12"));
    }

    [Fact]
    public void Split_DeepSeekCoder_UnmatchedTextStaysAPiece()
    {
        Assert.Equal(["\n", "ab", " ", "1", "2", " +", " c", "~"], Split("deepseek-coder", "\nab 12 + c~"));
    }

    [Fact]
    public void Create_UnknownName_ReturnsNull()
    {
        Assert.Null(PreTokenizerCatalog.Create("no-such-pre"));
    }
}
