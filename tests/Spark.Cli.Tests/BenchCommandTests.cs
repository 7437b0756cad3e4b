using System.Text.Json.Nodes;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void BenchEngine_TinyModelJson_PrintsTheTableThenOneJsonObjectOnTheLastLine()
    {
        using var dir = new TempDirectory();
        string model = TestModels.Write(dir.File("tiny.gguf"), TestModels.Qwen2(type: GgmlType.Q8_0));

        var r = SparkProcess.Run(dir.Path, "bench", "engine", "--model", model, "-p", "16", "-n", "8", "--reps", "2",
            "--threads", "2", "--membw-size-mb", "4", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.TrimEnd('\n').Split('\n');
        Assert.StartsWith("| model", lines[0]);
        Assert.Contains(lines, l => l.Contains("| pp16 |"));
        Assert.Contains(lines, l => l.Contains("| tg8 "));
        var o = JsonNode.Parse(lines[^1])!.AsObject();
        foreach (string field in new[] { "pp_tokens_per_s", "tg_tokens_per_s", "weights_bytes_per_token", "membw_gb_per_s", "roofline_ratio" })
            Assert.True((double)o[field]! > 0, $"{field} = {o[field]}");
        Assert.Equal(2, (int)o["threads"]!);
        Assert.Contains((string)o["kernels"]!, new[] { "scalar", "avx2", "avx2+vnni", "avx512" });
        Assert.Contains("warming up", r.StdErr);
    }

    [Fact]
    public void BenchEngine_NoModel_BenchmarksTheBuiltInModelAndSaysSo()
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "bench", "engine", "-p", "8", "-n", "4", "--reps", "1", "--membw-size-mb", "4");

        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("built-in tiny synthetic model", r.StdErr);
        Assert.Contains("| spark-synthetic tiny", r.StdOut);
        Assert.Single(Directory.GetFiles(Path.Combine(home.Path, "models"), "*.gguf"));
    }

    [Fact]
    public void BenchEngine_MissingModel_ExitsTwoWithOneErrorLine()
    {
        var r = SparkProcess.Run(null, "bench", "engine", "--model", "/definitely/missing.gguf");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.StartsWith("error: /definitely/missing.gguf: no such file", r.StdErr);
    }

    [Theory]
    [InlineData("--reps", "0", "--reps must be at least 1")]
    [InlineData("-p", "-1", "-p must be 0 or more")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--kernels", "avx9", "--kernels must be one of auto, scalar, avx2, avx512, got 'avx9'")]
    public void BenchEngine_BadOption_ExitsTwoNamingIt(string option, string value, string expected)
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "bench", "engine", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
        Assert.False(Directory.Exists(Path.Combine(home.Path, "models")), "a bad option must not create the default model first");
    }

    [Fact]
    public void BenchMembw_SmallArraysJson_ReportsEveryLoop()
    {
        var r = SparkProcess.Run(null, "bench", "membw", "--size-mb", "4", "--reps", "2", "--threads", "1", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.TrimEnd('\n').Split('\n');
        Assert.Contains(lines, l => l.StartsWith("| copy "));
        Assert.Contains(lines, l => l.StartsWith("| triad "));
        var o = JsonNode.Parse(lines[^1])!.AsObject();
        foreach (string field in new[] { "copy_gb_per_s", "triad_gb_per_s", "read_gb_per_s" })
            Assert.True((double)o[field]! > 0, $"{field} = {o[field]}");
        Assert.Equal(1, (int)o["threads"]!);
    }

    [Fact]
    public void BenchMembw_ZeroSize_ExitsTwoNamingTheOption()
    {
        var r = SparkProcess.Run(null, "bench", "membw", "--size-mb", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: --size-mb must be at least 1", r.StdErr);
    }

    [Fact]
    public void BenchKernels_TwoTypesJson_ReportsEachTypesSpeeds()
    {
        var r = SparkProcess.Run(null, "bench", "kernels", "--types", "q4_0,q6_k", "--cols", "256", "--size-mb", "2", "--batch", "4", "--reps", "1", "--threads", "2", "--cpu-time", "--json");

        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.TrimEnd('\n').Split('\n');
        Assert.Contains(lines, l => l.StartsWith("| Q4_0 "));
        Assert.Contains(lines, l => l.StartsWith("| Q6_K "));
        var o = JsonNode.Parse(lines[^1])!.AsObject();
        Assert.Equal(256, (int)o["columns"]!);
        Assert.Equal(2, (int)o["threads"]!);
        Assert.True((bool)o["cpu_time"]!);
        Assert.Contains("memory, 2 threads", r.StdOut);
        var types = o["types"]!.AsArray();
        Assert.Equal(["Q4_0", "Q6_K"], types.Select(t => (string)t!["type"]!));
        Assert.Equal(4.5, (double)types[0]!["bits_per_weight"]!, 3);
        Assert.Equal(6.5625, (double)types[1]!["bits_per_weight"]!, 3);
        // With the avx512 kernels the engine runs Q4_0 interleaved, and the bench measures what the engine runs.
        Assert.Equal((string)o["kernels"]! == "avx512" ? "interleaved" : "rows", (string)types[0]!["layout"]!);
        Assert.Equal("rows", (string)types[1]!["layout"]!);
        foreach (var t in types)
            foreach (string field in new[] { "cached_g_weights_per_s", "cached_gb_per_s", "memory_gb_per_s", "batch_g_weight_tokens_per_s" })
                Assert.True((double)t![field]! > 0, $"{t["type"]} {field} = {t[field]}");
    }

    [Fact]
    public void BenchKernels_RowsNotWholeSuperBlocks_LeaveTheKQuantsOutOfTheDefaultTypes()
    {
        var r = SparkProcess.Run(null, "bench", "kernels", "--cols", "96", "--size-mb", "1", "--batch", "0", "--reps", "1", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("the k-quants are left out", r.StdErr);
        var types = JsonNode.Parse(r.StdOut.TrimEnd('\n').Split('\n')[^1])!["types"]!.AsArray().Select(t => (string)t!["type"]!).ToArray();
        Assert.Equal(["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "F16"], types);

        var k = SparkProcess.Run(null, "bench", "kernels", "--cols", "96", "--types", "q4_k");
        Assert.Equal(2, k.ExitCode);
        Assert.StartsWith("error: --cols 96 is not whole Q4_K blocks of 256", k.StdErr);
    }

    [Theory]
    [InlineData("--types", "q4_0,q9_9", "error: --types: 'q9_9' is not one of q8_0")]
    
    [InlineData("--cols", "100", "error: --cols must be a multiple of 32")]
    [InlineData("--size-mb", "4096", "error: --size-mb must be between 1 and 2047")]
    [InlineData("--types", "8", "error: --types: '8' is not one of q8_0")]
    [InlineData("--reps", "0", "error: --reps must be at least 1")]
    [InlineData("--size-mb", "0", "error: --size-mb must be between 1 and 2047")]
    [InlineData("--batch", "-1", "error: --batch must be between 0 and 512")]
    [InlineData("--threads", "0", "error: --threads must be between 1 and 256")]
    public void BenchKernels_BadOption_ExitsTwoNamingIt(string option, string value, string expected)
    {
        var r = SparkProcess.Run(null, "bench", "kernels", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith(expected, r.StdErr);
    }
}
