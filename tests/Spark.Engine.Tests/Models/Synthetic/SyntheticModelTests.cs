using Spark.Engine.Gguf;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Models.Synthetic;

public class SyntheticModelTests
{
    public static TheoryData<string, GgmlType> ArchTimesType()
    {
        var data = new TheoryData<string, GgmlType>();
        foreach (string arch in new[] { "llama", "qwen2" })
            foreach (var type in new[] { GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K })
                data.Add(arch, type);
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchTimesType))]
    public void Write_Tiny_HasEveryTensorWithDimsAndTypesAndEveryMetadataKey(string arch, GgmlType type)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.gguf");
        var info = SyntheticModel.Write(new SyntheticModelSpec(arch, "tiny", type, Seed: 7), path);

        using var f = GgufFile.Open(path);
        var m = f.Metadata;
        Assert.Equal(arch, m.GetString("general.architecture"));
        Assert.Equal($"spark-synthetic tiny {type.ToString().ToLowerInvariant()} seed 7", m.GetString("general.name"));
        Assert.Equal(SyntheticModel.FileType(type), m.GetInteger("general.file_type"));
        Assert.Equal(32, m.GetInteger("general.alignment"));
        Assert.Equal(8192, m.GetInteger($"{arch}.context_length"));
        Assert.Equal(64, m.GetInteger($"{arch}.embedding_length"));
        Assert.Equal(2, m.GetInteger($"{arch}.block_count"));
        Assert.Equal(192, m.GetInteger($"{arch}.feed_forward_length"));
        Assert.Equal(4, m.GetInteger($"{arch}.attention.head_count"));
        Assert.Equal(2, m.GetInteger($"{arch}.attention.head_count_kv"));
        Assert.Equal(10000.0, m.GetNumber($"{arch}.rope.freq_base"));
        Assert.Equal(1e-5f, (float)m.GetNumber($"{arch}.attention.layer_norm_rms_epsilon")!.Value);
        Assert.Equal(16, m.GetInteger($"{arch}.rope.dimension_count"));
        Assert.Equal("llama", m.GetString("tokenizer.ggml.model"));
        int vocab = m.GetStringArray("tokenizer.ggml.tokens")!.Length;
        Assert.Equal(SyntheticVocabulary.TinySize, vocab);
        Assert.Equal(vocab, info.VocabSize);

        // 64 and 192 are whole Q8_0/Q4_0 blocks but not Q4_K super-blocks: Q4_K falls back to Q8_0
        GgmlType matrixType = type == GgmlType.Q4_K ? GgmlType.Q8_0 : type;
        var expected = new List<(string Name, GgmlType Type, long[] Dims)> { ("token_embd.weight", matrixType, [64, vocab]) };
        for (int b = 0; b < 2; b++)
        {
            string p = $"blk.{b}.";
            expected.Add((p + "attn_norm.weight", GgmlType.F32, [64]));
            expected.Add((p + "attn_q.weight", matrixType, [64, 64]));
            expected.Add((p + "attn_k.weight", matrixType, [64, 32]));
            expected.Add((p + "attn_v.weight", matrixType, [64, 32]));
            expected.Add((p + "attn_output.weight", matrixType, [64, 64]));
            expected.Add((p + "ffn_norm.weight", GgmlType.F32, [64]));
            expected.Add((p + "ffn_gate.weight", matrixType, [64, 192]));
            expected.Add((p + "ffn_up.weight", matrixType, [64, 192]));
            expected.Add((p + "ffn_down.weight", matrixType, [192, 64]));
            if (arch == "qwen2")
            {
                expected.Add((p + "attn_q.bias", GgmlType.F32, [64]));
                expected.Add((p + "attn_k.bias", GgmlType.F32, [32]));
                expected.Add((p + "attn_v.bias", GgmlType.F32, [32]));
            }
        }
        expected.Add(("output_norm.weight", GgmlType.F32, [64]));

        Assert.Equal(expected.Count, f.Tensors.Count);
        Assert.Equal(expected.Count, info.TensorCount);
        foreach (var (name, t, dims) in expected)
        {
            var tensor = f.FindTensor(name);
            Assert.True(tensor != null, $"missing tensor {name}");
            Assert.Equal(t, tensor.Type);
            Assert.Equal(dims, tensor.Dimensions);
        }
        Assert.Null(f.FindTensor("output.weight"));
        Assert.Null(f.FindTensor("rope_freqs.weight"));
        Assert.Equal(f.Tensors.Sum(t => t.ElementCount), info.ParameterCount);
        Assert.Equal(new FileInfo(path).Length, info.FileSize);
        if (type == GgmlType.Q4_K)
        {
            Assert.Equal(1 + 2 * 7, info.Fallbacks.Count);
            Assert.Contains("token_embd.weight: Q4_K -> Q8_0 (row length 64 is not a multiple of 256)", info.Fallbacks);
        }
        else Assert.Empty(info.Fallbacks);
    }

    [Fact]
    public void Write_Tiny_WeightsHaveTheIntendedScale()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.gguf");
        SyntheticModel.Write(new SyntheticModelSpec("qwen2", "tiny", GgmlType.F16, Seed: 3), path);
        using var f = GgufFile.Open(path);

        float[] Read(string name)
        {
            var t = f.FindTensor(name)!;
            var values = new float[t.ElementCount];
            TensorDequantizer.Row(t.Type, f.GetTensorData(t), values);
            return values;
        }
        static (double Mean, double Std) Stats(float[] v)
        {
            double mean = v.Average(x => (double)x);
            return (mean, Math.Sqrt(v.Average(x => (x - mean) * (x - mean))));
        }
        var (qMean, qStd) = Stats(Read("blk.0.attn_q.weight"));
        Assert.InRange(qMean, -0.01, 0.01);
        Assert.InRange(qStd, 0.125 * 0.95, 0.125 * 1.05); // 1/sqrt(64)
        var (downMean, downStd) = Stats(Read("blk.1.ffn_down.weight"));
        Assert.InRange(downStd, 1 / Math.Sqrt(192) * 0.95, 1 / Math.Sqrt(192) * 1.05);
        Assert.InRange(downMean, -0.01, 0.01);
        var (normMean, normStd) = Stats(Read("blk.0.attn_norm.weight"));
        Assert.InRange(normMean, 0.99, 1.01);
        Assert.InRange(normStd, 0.01, 0.03);
        var (_, biasStd) = Stats(Read("blk.0.attn_k.bias"));
        Assert.InRange(biasStd, 0.01, 0.03);
        Assert.InRange(Stats(Read("token_embd.weight")).Std, 0.125 * 0.95, 0.125 * 1.05);
    }

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.Q4_0)]
    public void Write_Tiny_ActivationsAndLogitsStaySane(GgmlType type)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.gguf");
        SyntheticModel.Write(new SyntheticModelSpec("llama", "tiny", type, Seed: 11), path);
        using var f = GgufFile.Open(path);
        float[] Read(string name)
        {
            var t = f.FindTensor(name)!;
            var values = new float[t.ElementCount];
            TensorDequantizer.Row(t.Type, f.GetTensorData(t), values);
            return values;
        }
        static double[] MatVec(float[] w, int cols, double[] x) =>
            Enumerable.Range(0, w.Length / cols).Select(r => Enumerable.Range(0, cols).Sum(c => w[r * cols + c] * x[c])).ToArray();
        static double Rms(double[] v) => Math.Sqrt(v.Average(x => x * x));

        float[] embd = Read("token_embd.weight"), norm = Read("blk.0.ffn_norm.weight");
        var x = Enumerable.Range(0, 64).Select(i => (double)embd[100 * 64 + i]).ToArray();
        double scale = 1 / Math.Sqrt(x.Average(v => v * v) + 1e-5);
        var h = x.Select((v, i) => v * scale * norm[i]).ToArray();           // RMSNorm: rms ~1
        var gate = MatVec(Read("blk.0.ffn_gate.weight"), 64, h);
        var up = MatVec(Read("blk.0.ffn_up.weight"), 64, h);
        var act = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
        var down = MatVec(Read("blk.0.ffn_down.weight"), 192, act);
        var logits = MatVec(embd, 64, h);                                    // tied output
        Assert.InRange(Rms(gate), 0.7, 1.4);
        Assert.InRange(Rms(down), 0.2, 2.0);
        Assert.InRange(Rms(logits), 0.7, 1.4);
        // the input token's own logit is |e|·|h| ~ sqrt(64) with tied embeddings; the others stay small
        Assert.All(logits.Where((_, i) => i != 100), l => Assert.InRange(l, -6, 6));
    }

    [Fact]
    public void Write_SameSpecTwice_GivesIdenticalBytes_AndAnotherSeedDifferentBytes()
    {
        using var dir = new TempDirectory();
        var spec = new SyntheticModelSpec("llama", "tiny", GgmlType.F16, Seed: 42);
        SyntheticModel.Write(spec, dir.File("a.gguf"));
        SyntheticModel.Write(spec, dir.File("b.gguf"));
        SyntheticModel.Write(spec with { Seed = 43 }, dir.File("c.gguf"));
        byte[] a = File.ReadAllBytes(dir.File("a.gguf")), b = File.ReadAllBytes(dir.File("b.gguf")), c = File.ReadAllBytes(dir.File("c.gguf"));
        Assert.Equal(a, b);
        Assert.Equal(a.Length, c.Length);
        Assert.NotEqual(a, c);

        using var fa = GgufFile.Open(dir.File("a.gguf"));
        using var fc = GgufFile.Open(dir.File("c.gguf"));
        foreach (string name in new[] { "token_embd.weight", "blk.1.ffn_down.weight", "output_norm.weight" })
            Assert.False(fa.GetTensorData(fa.FindTensor(name)!).SequenceEqual(fc.GetTensorData(fc.FindTensor(name)!)), name);
    }

    [Fact]
    public void Write_SameSeed_EveryTensorDiffersFromEveryOther()
    {
        using var dir = new TempDirectory();
        SyntheticModel.Write(new SyntheticModelSpec("llama", "tiny", GgmlType.F16, Seed: 1), dir.File("m.gguf"));
        using var f = GgufFile.Open(dir.File("m.gguf"));
        var q0 = f.GetTensorData(f.FindTensor("blk.0.attn_q.weight")!).ToArray();
        var q1 = f.GetTensorData(f.FindTensor("blk.1.attn_q.weight")!).ToArray();
        var o0 = f.GetTensorData(f.FindTensor("blk.0.attn_output.weight")!).ToArray();
        Assert.NotEqual(q0, q1);
        Assert.NotEqual(q0, o0);
    }

    [Theory]
    [InlineData("gpt", "tiny", GgmlType.F16, "unknown architecture 'gpt'; accepted: llama, qwen2")]
    [InlineData("llama", "7b", GgmlType.F16, "unknown shape '7b'; accepted: tiny, qwen2.5-0.5b, llama-3.2-1b")]
    [InlineData("qwen2", "tiny", GgmlType.Q6_K, "weight type Q6_K is not supported for synthetic models; accepted: F16, Q8_0, Q4_0, Q4_K")]
    [InlineData("llama", "tiny", GgmlType.F32, "weight type F32 is not supported for synthetic models; accepted: F16, Q8_0, Q4_0, Q4_K")]
    public void Write_BadSpec_SaysWhatIsAccepted(string arch, string shape, GgmlType type, string message)
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ArgumentException>(() => SyntheticModel.Write(new SyntheticModelSpec(arch, shape, type, 1), dir.File("m.gguf")));
        Assert.StartsWith(message, e.Message);
        Assert.False(File.Exists(dir.File("m.gguf")));
    }

    [Fact]
    public void Write_MissingVocabFile_SaysWhichFile()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("nope.gguf");
        var e = Assert.Throws<ArgumentException>(() =>
            SyntheticModel.Write(new SyntheticModelSpec("llama", "tiny", GgmlType.F16, 1, missing), dir.File("m.gguf")));
        Assert.StartsWith($"vocabulary file '{missing}' does not exist", e.Message);
    }

    [Fact]
    public void Write_VocabFileWithoutTokens_SaysSo()
    {
        using var dir = new TempDirectory();
        string vocab = dir.File("v.gguf");
        new GgufWriter().Set("general.architecture", "llama").WriteFile(vocab);
        var e = Assert.Throws<ArgumentException>(() =>
            SyntheticModel.Write(new SyntheticModelSpec("llama", "tiny", GgmlType.F16, 1, vocab), dir.File("m.gguf")));
        Assert.Equal($"vocabulary file '{vocab}' has no tokenizer.ggml.tokens array", e.Message);
    }

    [Fact]
    public void Write_ArchAndShapeAreCaseInsensitive_AndNormalized()
    {
        using var dir = new TempDirectory();
        SyntheticModel.Write(new SyntheticModelSpec("LLaMA", "TINY", GgmlType.F16, 1), dir.File("m.gguf"));
        using var f = GgufFile.Open(dir.File("m.gguf"));
        Assert.Equal("llama", f.Metadata.GetString("general.architecture"));
        Assert.Equal(64, f.Metadata.GetInteger("llama.embedding_length"));
    }
}
