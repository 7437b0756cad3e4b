using Spark.Engine.Gguf;
using Spark.Testing;

namespace Spark.Conformance.Tests.Gguf;

public class RealGgufFileTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (ConformanceData.Root is null) { data.Add("(absent)"); return data; }
        foreach (string dir in new[] { "models", "tokenizer" })
            foreach (string f in Directory.GetFiles(ConformanceData.PathOf(dir), "*.gguf").Order())
                data.Add(Path.Combine(dir, Path.GetFileName(f)));
        return data;
    }

    [ConformanceTheory]
    [MemberData(nameof(Files))]
    public void Open_LlamaCppFile_ParsesMetadataAndTensorsWithinTheFile(string relative)
    {
        using var f = GgufFile.Open(ConformanceData.PathOf(relative));
        Assert.InRange(f.Version, 2u, 3u);
        Assert.NotNull(f.Metadata.GetString("general.architecture"));
        Assert.NotEmpty(f.Metadata.GetStringArray("tokenizer.ggml.tokens")!);
        foreach (var t in f.Tensors)
            Assert.InRange(t.FileOffset + t.ByteSize, f.DataOffset, f.Length);
        if (relative.StartsWith("models", StringComparison.Ordinal))
            Assert.NotNull(f.FindTensor("token_embd.weight"));
    }
}
