using Spark.Engine.Gguf;
using Spark.Engine.Tokenization;
using Spark.Testing;
using Xunit.Abstractions;

namespace Spark.Conformance.Tests.Tokenization;

public class TokenizerModelInfoTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (ConformanceData.Root is null) { data.Add("(absent)"); return data; }
        foreach (string dir in new[] { "models", "tokenizer" })
            foreach (string f in Directory.GetFiles(ConformanceData.PathOf(dir), "*.gguf").Order(StringComparer.Ordinal))
                data.Add(Path.Combine(dir, Path.GetFileName(f)));
        return data;
    }

    [ConformanceTheory]
    [MemberData(nameof(Files))]
    public void FromGguf_RealFile_EosEndsGenerationAndSpecialTokensRenderOnlyWhenAsked(string relative)
    {
        using var gguf = GgufFile.Open(ConformanceData.PathOf(relative));
        var t = Tokenizer.FromGguf(gguf.Metadata);
        output.WriteLine($"{relative}: model {t.Model}, pre {t.PreTokenizer}, vocab {t.VocabSize}, bos {t.BosId}, eos {t.EosId}, eot {t.EotId}, add_bos {t.AddBos}");

        Assert.Equal(gguf.Metadata.GetStringArray("tokenizer.ggml.tokens")!.Length, t.VocabSize);
        Assert.NotNull(t.EosId);
        Assert.True(t.IsEndOfGeneration(t.EosId!.Value));
        if (t.BosId is int bos)
        {
            if (bos != t.EosId) Assert.False(t.IsEndOfGeneration(bos));
            Assert.Empty(t.TokenBytes(bos));
            Assert.Equal(t.TokenText(bos), System.Text.Encoding.UTF8.GetString(t.TokenBytes(bos, renderSpecial: true)));
            // with parseSpecial the BOS text is the BOS token; without it, it is plain text
            Assert.Equal([bos], t.Encode(t.TokenText(bos), addSpecial: false, parseSpecial: true));
            Assert.DoesNotContain(bos, t.Encode(t.TokenText(bos), addSpecial: false, parseSpecial: false));
        }
    }
}
