using System.Text.Json.Nodes;
using Spark.Bench.Engine;
using Spark.Bench.Reports;
using Spark.Engine.Gguf;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Bench.Tests.Engine;

public class EngineBenchmarkTests
{
    private static EngineBenchOptions Options(string path) => new()
    {
        ModelPath = path,
        Threads = 2,
        PromptTokens = 12,
        GeneratedTokens = 6,
        Reps = 2,
        BandwidthArrayBytes = 2L << 20,
        BandwidthReps = 1,
    };

    [Fact]
    public void Run_TinyModel_JsonLineHasEveryFieldWithSaneValues()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama(type: GgmlType.Q8_0));

        var result = EngineBenchmark.Run(Options(path));
        string json = BenchJson.Serialize(result);

        Assert.DoesNotContain('\n', json);
        var o = JsonNode.Parse(json)!.AsObject();
        Assert.True((double)o["pp_tokens_per_s"]! > 0);
        Assert.True((double)o["tg_tokens_per_s"]! > 0);
        Assert.True((double)o["membw_gb_per_s"]! > 0);
        Assert.True((double)o["membw_read_gb_per_s"]! > 0);
        double ratio = (double)o["roofline_ratio"]!;
        Assert.True(ratio > 0 && double.IsFinite(ratio), $"roofline ratio {ratio}");
        Assert.Equal(2, (int)o["threads"]!);
        Assert.Contains((string)o["kernels"]!, new[] { "scalar", "avx2", "avx2+vnni", "avx512" });
        Assert.Equal(12, (int)o["prompt_tokens"]!);
        Assert.Equal(6, (int)o["generated_tokens"]!);
        Assert.Equal(2, o["pp"]!["samples"]!.AsArray().Count);
        Assert.Equal(2, o["tg"]!["samples"]!.AsArray().Count);
        Assert.Equal("llama", (string)o["model"]!["architecture"]!);
        Assert.Equal("Q8_0", (string)o["model"]!["type"]!);
        Assert.False(string.IsNullOrEmpty((string?)o["machine"]!["cpu"]));
        Assert.True(DateTimeOffset.Parse((string)o["date"]!) > DateTimeOffset.UtcNow.AddHours(-1));

        using var file = GgufFile.Open(path);
        var embedding = file.FindTensor("token_embd.weight")!;
        long independent = file.Tensors.Sum(t => t.ByteSize) - embedding.ByteSize + embedding.ByteSize / embedding.Rows;
        Assert.Equal(independent, (long)o["weights_bytes_per_token"]!);

        // The ratio is what it says: median tg ÷ (bandwidth ÷ bytes per token).
        double roofline = (double)o["membw_gb_per_s"]! * 1e9 / independent;
        Assert.Equal((double)o["tg_tokens_per_s"]! / roofline, ratio, 9);
        Assert.Equal(result.Tg!.Median, (double)o["tg_tokens_per_s"]!);
    }

    [Fact]
    public void Run_PromptLongerThanTheTrainedContext_StillMeasures()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2(type: GgmlType.Q4_0) with { ContextLength = 16 });

        var result = EngineBenchmark.Run(Options(path) with { PromptTokens = 40, Threads = 1, Reps = 1 });

        Assert.Equal(40, result.PromptTokens);
        Assert.True(result.PpTokensPerS > 0);
        Assert.Equal(1, result.Threads);
    }

    [Fact]
    public void Run_GenerationOnly_LeavesThePromptFieldsNull()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());

        var result = EngineBenchmark.Run(Options(path) with { PromptTokens = 0 });
        var o = JsonNode.Parse(BenchJson.Serialize(result))!.AsObject();

        Assert.Null(o["pp_tokens_per_s"]);
        Assert.Null(o["pp"]);
        Assert.True((double)o["tg_tokens_per_s"]! > 0);
        Assert.DoesNotContain("pp0", EngineReport.Format(result));
        Assert.Contains("tg6", EngineReport.Format(result));
    }

    [Fact]
    public void Run_WithDepth_MeasuresAfterThatContextAndSaysSo()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2(type: GgmlType.Q8_0) with { ContextLength = 32 });

        var result = EngineBenchmark.Run(Options(path) with { Depth = 40, Reps = 1 });
        var o = JsonNode.Parse(BenchJson.Serialize(result))!.AsObject();

        Assert.Equal(40, (int)o["depth"]!);
        Assert.True(result.PpTokensPerS > 0 && result.TgTokensPerS > 0);
        string report = EngineReport.Format(result);
        Assert.Contains("pp12 @ d40", report);
        Assert.Contains("tg6 @ d40", report);
    }

    [Fact]
    public void Run_NegativeDepth_ThrowsNamingTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => EngineBenchmark.Run(new EngineBenchOptions { ModelPath = "unused.gguf", Depth = -1 }));
        Assert.Contains("-d must be", e.Message);
    }

    [Theory]
    [InlineData(0, 4, 1, 1, "--threads")]
    [InlineData(1, -1, 1, 1, "-n must be")]
    [InlineData(1, 0, 0, 1, "nothing to measure")]
    [InlineData(1, 4, 1, 0, "--reps")]
    public void Run_BadOptions_ThrowsNamingTheOption(int threads, int generated, int prompt, int reps, string expected)
    {
        var options = new EngineBenchOptions { ModelPath = "unused.gguf", Threads = threads, GeneratedTokens = generated, PromptTokens = prompt, Reps = reps };
        var e = Assert.Throws<ArgumentException>(() => EngineBenchmark.Run(options));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Run_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => EngineBenchmark.Run(Options("/definitely/missing.gguf")));
        Assert.Contains("/definitely/missing.gguf", e.Message);
    }
}
