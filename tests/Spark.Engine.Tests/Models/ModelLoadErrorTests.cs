using Spark.Engine.Gguf;
using Spark.Engine.Inference;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Models;

/// <summary>Bad models fail at load with messages that name what is wrong.</summary>
public class ModelLoadErrorTests
{
    [Fact]
    public void Load_UnsupportedArchitecture_ListsTheSupportedOnes()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama() with { Architecture = "gpt2" });
        var ex = Assert.Throws<NotSupportedException>(() => SparkModel.Load(path));
        Assert.Contains("'gpt2'", ex.Message);
        Assert.Contains("llama, qwen2", ex.Message);
    }

    [Fact]
    public void Load_MissingTensor_NamesIt()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Llama() with { OmitTensors = ["blk.1.ffn_up.weight"] });
        var ex = Assert.Throws<InvalidDataException>(() => SparkModel.Load(path));
        Assert.Contains("'blk.1.ffn_up.weight'", ex.Message);
    }

    [Fact]
    public void Load_Qwen2WithoutBiases_NamesTheMissingBias()
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("m.gguf"), TestModels.Qwen2() with { Biases = false });
        var ex = Assert.Throws<InvalidDataException>(() => SparkModel.Load(path));
        Assert.Contains("'blk.0.attn_q.bias'", ex.Message);
    }

    [Fact]
    public void Load_MissingMetadataKey_NamesIt()
    {
        using var dir = new TempDirectory();
        string src = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        string path = Rewrite(src, dir.File("n.gguf"), skipKey: "llama.feed_forward_length");
        var ex = Assert.ThrowsAny<Exception>(() => SparkModel.Load(path));
        Assert.Contains("llama.feed_forward_length", ex.Message);
    }

    [Fact]
    public void Load_UnsupportedTensorType_NamesTensorTypeAndSupportedList()
    {
        using var dir = new TempDirectory();
        string src = TestModels.Write(dir.File("m.gguf"), TestModels.Llama(dim: 256, feedForward: 256));
        string path = Rewrite(src, dir.File("n.gguf"), retype: ("blk.0.attn_k.weight", GgmlType.Q2_K));
        var ex = Assert.Throws<NotSupportedException>(() => SparkModel.Load(path));
        Assert.Contains("'blk.0.attn_k.weight'", ex.Message);
        Assert.Contains("Q2_K", ex.Message);
        Assert.Contains(GgmlTypeInfo.SupportedList, ex.Message);
    }

    [Fact]
    public void Load_MisShapedTensor_NamesItAndTheExpectedShape()
    {
        using var dir = new TempDirectory();
        string src = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        string path = Rewrite(src, dir.File("n.gguf"), reshape: ("blk.0.attn_q.weight", [32, 128]));
        var ex = Assert.Throws<InvalidDataException>(() => SparkModel.Load(path));
        Assert.Contains("'blk.0.attn_q.weight'", ex.Message);
        Assert.Contains("expected [64, 64]", ex.Message);
    }

    [Fact]
    public void Load_UnsupportedRopeScaling_Says()
    {
        using var dir = new TempDirectory();
        string src = TestModels.Write(dir.File("m.gguf"), TestModels.Llama());
        string path = Rewrite(src, dir.File("n.gguf"), extra: ("llama.rope.scaling.type", "yarn"));
        var ex = Assert.Throws<NotSupportedException>(() => SparkModel.Load(path));
        Assert.Contains("'yarn'", ex.Message);
        Assert.Contains("linear", ex.Message);
    }

    /// <summary>Copies a GGUF file, dropping a key, adding a string key, or changing one tensor's type or shape.</summary>
    private static string Rewrite(string source, string destination, string? skipKey = null,
        (string Name, GgmlType Type)? retype = null, (string Name, long[] Dims)? reshape = null, (string Key, string Value)? extra = null)
    {
        using var f = GgufFile.Open(source);
        var w = new GgufWriter();
        foreach (var kv in f.Metadata)
            if (kv.Key != skipKey) w.Add(kv.Key, kv.Value);
        if (extra is { } e) w.Set(e.Key, e.Value);
        foreach (var t in f.Tensors)
        {
            byte[] data = f.GetTensorData(t).ToArray();
            long[] dims = [.. t.Dimensions];
            var type = t.Type;
            if (retype is { } r && r.Name == t.Name)
            {
                type = r.Type;
                data = new byte[GgmlTypeInfo.RowBytes(type, dims[0]) * (t.ElementCount / dims[0])];
            }
            if (reshape is { } s && s.Name == t.Name) dims = s.Dims;
            w.AddTensor(t.Name, type, dims, data);
        }
        w.WriteFile(destination);
        return destination;
    }
}
