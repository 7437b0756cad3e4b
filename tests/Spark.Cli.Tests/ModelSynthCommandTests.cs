using Spark.Engine.Gguf;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class ModelSynthCommandTests
{
    [Fact]
    public void Synth_Q4KM_WritesLlamaCppsMix()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.gguf");

        var r = SparkProcess.Run(dir.Path, "model", "synth", "--arch", "qwen2", "--shape", "tiny", "--type", "q4_k_m", "--out", path);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("q4_k_m seed 1", r.StdOut);
        using var f = GgufFile.Open(path);
        Assert.Equal(15, f.Metadata.GetInteger("general.file_type"));
        Assert.Contains(f.Tensors, t => t.Type == Spark.Engine.Tensors.GgmlType.Q5_0); // llama.cpp's fallback for 64-wide Q4_K rows
    }

    [Theory]
    [InlineData("q4_k_m", "pure", "q4_k_m is llama.cpp's mix")]
    [InlineData("q8_0", "llama", "--mix 'llama' is not one of pure, llama.cpp")]
    [InlineData("q5_k", null, "--type 'q5_k' is not one of f16, q8_0, q4_0, q4_k, q4_k_m")]
    public void Synth_BadTypeOrMix_SaysWhatIsAccepted(string type, string? mix, string message)
    {
        using var dir = new TempDirectory();
        string[] args = ["model", "synth", "--arch", "qwen2", "--shape", "tiny", "--type", type, "--out", dir.File("m.gguf")];
        if (mix != null) args = [.. args, "--mix", mix];

        var r = SparkProcess.Run(dir.Path, args);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.StdErr);
        Assert.Contains(message, r.StdErr);
        Assert.False(File.Exists(dir.File("m.gguf")));
    }
}
