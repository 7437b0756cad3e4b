using System.Text;
using System.Text.Json.Nodes;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class RunCommandTests
{
    public static TheoryData<string, int> ReferenceRuns()
    {
        var data = new TheoryData<string, int>();
        // F32 and F16 models agree with llama.cpp token for token on every prompt; the qwen2 run covers BPE without BOS.
        foreach (string stem in new[] { "stories260K", "v1-llama-spm-tiny-f16" })
            for (int i = 0; i < 6; i++) data.Add(stem, i);
        data.Add("v3-qwen2-micro-q8_0", 0);
        return data;
    }

    [ConformanceTheory]
    [MemberData(nameof(ReferenceRuns))]
    public void Run_GreedyPrintIds_MatchesLlamaCpp(string stem, int runIndex)
    {
        var reference = JsonNode.Parse(File.ReadAllText(ConformanceData.PathOf("reference", stem + ".json")))!;
        var run = reference["runs"]![runIndex]!;
        int[] expectedIds = run["generated_ids"]!.AsArray().Select(n => (int)n!).ToArray();

        var r = SparkProcess.Run(null, "run", "--model", ConformanceData.PathOf("models", stem + ".gguf"),
            "-p", (string)run["prompt"]!, "--temp", "0", "-n", expectedIds.Length.ToString(), "--print-ids");

        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.Equal(string.Join(' ', expectedIds), lines[^2]);
        byte[] expectedText = Convert.FromHexString((string)run["generated_text_hex"]!);
        string text = r.StdOut[..r.StdOut.LastIndexOf(lines[^2], StringComparison.Ordinal)];
        Assert.Equal(new UTF8Encoding(false, true).GetString(expectedText), text.EndsWith('\n') && !expectedText.AsSpan().EndsWith("\n"u8) ? text[..^1] : text);
        int promptTokens = run["prompt_ids"]!.AsArray().Count;
        Assert.Contains($"prompt: {promptTokens} tokens", r.StdErr);
        Assert.Contains($"generated: {expectedIds.Length} tokens", r.StdErr);
    }

    [Fact]
    public void Run_NoModel_CreatesTheSyntheticDefaultOnceAndSaysSo()
    {
        using var home = new TempDirectory();
        var first = SparkProcess.Run(home.Path, "run", "-p", "Once upon a time", "-n", "8");
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("synthetic", first.StdErr);
        Assert.Contains("generated: ", first.StdErr);
        Assert.NotEqual("", first.StdOut.Trim());
        Assert.Single(Directory.GetFiles(Path.Combine(home.Path, "models"), "*.gguf"));

        var second = SparkProcess.Run(home.Path, "run", "-p", "Once upon a time", "-n", "8", "--temp", "0");
        Assert.True(second.ExitCode == 0, second.StdErr);
        Assert.DoesNotContain("creating", second.StdErr);
    }

    [ConformanceFact]
    public void Run_SameSeed_SameText_OtherSeed_OtherText()
    {
        string model = ConformanceData.PathOf("models", "stories260K.gguf");
        string[] Args(string seed) => ["run", "-m", model, "-p", "Once upon a time", "-n", "40", "--temp", "1.0", "--seed", seed, "--print-ids"];
        var a = SparkProcess.Run(null, Args("7"));
        var b = SparkProcess.Run(null, Args("7"));
        var c = SparkProcess.Run(null, Args("8"));
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(a.StdOut, b.StdOut);
        Assert.NotEqual(a.StdOut, c.StdOut);
    }

    [ConformanceFact]
    public void Run_ChatWithoutTemplate_FallsBackToChatMlWithAWarning()
    {
        var r = SparkProcess.Run(null, "run", "-m", ConformanceData.PathOf("models", "stories260K.gguf"), "-p", "Hi", "--chat", "-n", "4");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("warning: ", r.StdErr);
        Assert.Contains("ChatML", r.StdErr);
    }

    [ConformanceFact]
    public void Run_ChatWithModelTemplate_Generates()
    {
        var r = SparkProcess.Run(null, "run", "-m", ConformanceData.PathOf("models", "v3-qwen2-micro-q8_0.gguf"), "-p", "Hi", "--chat", "-n", "4", "--temp", "0");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.DoesNotContain("warning", r.StdErr);
        Assert.Matches(@"prompt: \d{2,} tokens", r.StdErr); // the template wraps the two-character prompt in role markers
    }

    [Theory]
    [InlineData("--top-p", "2", "top-p")]
    [InlineData("-n", "-5", "-n must be")]
    [InlineData("--threads", "0", "--threads")]
    [InlineData("--temp", "abc", "abc")]
    [InlineData("--kernels", "sse9", "sse9")]
    public void Run_BadOption_ExitsTwoNamingIt(string option, string value, string expected)
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "run", "-m", "/definitely/missing.gguf", "-p", "x", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
    }

    [ConformanceTheory]
    [InlineData("scalar")]
    [InlineData("avx2")]
    [InlineData("avx512")]
    public void Run_EachKernelPath_MatchesLlamaCppAndNamesItsKernels(string kernels)
    {
        if (kernels == "avx2" && !System.Runtime.Intrinsics.X86.Avx2.IsSupported) return; // this CPU cannot run the path
        if (kernels == "avx512" && !System.Runtime.Intrinsics.X86.Avx512BW.IsSupported) return;
        var reference = JsonNode.Parse(File.ReadAllText(ConformanceData.PathOf("reference", "v3-qwen2-micro-q8_0.json")))!;
        var run = reference["runs"]![0]!;
        int[] expectedIds = run["generated_ids"]!.AsArray().Select(n => (int)n!).ToArray();

        var r = SparkProcess.Run(null, "run", "--model", ConformanceData.PathOf("models", "v3-qwen2-micro-q8_0.gguf"),
            "-p", (string)run["prompt"]!, "--temp", "0", "-n", expectedIds.Length.ToString(), "--print-ids", "--kernels", kernels);

        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(string.Join(' ', expectedIds), r.StdOut.Split('\n')[^2]);
        Assert.Matches($@"threads, {kernels}(\+vnni)? kernels", r.StdErr);
    }

    [Fact]
    public void Run_KernelsTheCpuLacks_ExitsTwoNamingWhatIsMissing()
    {
        // The runtime reports AVX-512 as absent when told to, which is what a CPU without it looks like.
        var r = SparkProcess.Run(null, [("DOTNET_EnableAVX512", "0")], "run", "-m", "/definitely/missing.gguf", "-p", "x", "--kernels", "avx512");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("this CPU cannot run the avx512 kernels (AVX-512 F and BW missing)", r.StdErr);
        Assert.Contains("choose scalar", r.StdErr);
    }

    [Fact]
    public void Run_MissingModel_ExitsTwo()
    {
        var r = SparkProcess.Run(null, "run", "-m", "/definitely/missing.gguf", "-p", "x");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: /definitely/missing.gguf", r.StdErr);
    }

    [ConformanceFact]
    public void Run_PromptLongerThanContext_ExitsTwoSayingHowToFix()
    {
        var r = SparkProcess.Run(null, "run", "-m", ConformanceData.PathOf("models", "stories260K.gguf"),
            "-p", string.Concat(Enumerable.Repeat("Once upon a time there was a dog. ", 20)), "--ctx", "32", "-n", "8");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("more than the context of 32 tokens", r.StdErr);
    }
}
