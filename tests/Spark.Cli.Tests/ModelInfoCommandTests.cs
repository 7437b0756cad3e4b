using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class ModelInfoCommandTests
{
    [Fact]
    public void ModelInfo_WrittenModel_ShowsArchitectureTypesAndTemplate()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.gguf");
        new GgufWriter()
            .Set("general.architecture", "qwen2").Set("qwen2.context_length", 2048u).Set("qwen2.block_count", 1u)
            .Set("qwen2.embedding_length", 32u).Set("qwen2.feed_forward_length", 64u).Set("qwen2.attention.head_count", 4u)
            .Set("tokenizer.ggml.model", "gpt2").Set("tokenizer.ggml.tokens", new[] { "a", "b" }).Set("tokenizer.chat_template", "{{ x }}")
            .AddTensor("token_embd.weight", GgmlType.F32, [32, 2], new byte[32 * 2 * 4])
            .WriteFile(path);

        var r = SparkProcess.Run(dir.Path, "model", "info", path);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("architecture    qwen2", r.StdOut);
        Assert.Contains("context length  2048", r.StdOut);
        Assert.Contains("F32 ×1", r.StdOut);
        Assert.Contains("2 tokens, gpt2", r.StdOut);
        Assert.Contains("chat template   present", r.StdOut);
    }

    [Fact]
    public void ModelInfo_NotGguf_ExitsTwoWithOneErrorLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.gguf");
        File.WriteAllText(path, "this is definitely not a gguf model file");

        var r = SparkProcess.Run(dir.Path, "model", "info", path);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        string line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("not a GGUF file", line);
    }

    [Fact]
    public void ModelInfo_MissingFile_ExitsTwo()
    {
        var r = SparkProcess.Run(null, "model", "info", "/definitely/missing.gguf");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.StdErr);
    }

    [Fact]
    public void UnknownOption_ExitsTwoWithUsageHint()
    {
        var r = SparkProcess.Run(null, "model", "info", "x.gguf", "--bogus");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--bogus", r.StdErr);
    }
}
