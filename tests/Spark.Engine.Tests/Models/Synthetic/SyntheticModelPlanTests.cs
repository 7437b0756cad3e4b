using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Models.Synthetic;

public class SyntheticModelPlanTests
{
    [Fact]
    public void Qwen25_05B_Q4K_HasTheRealTensorsShapesAndParameterCount()
    {
        var shape = SyntheticShape.Find("qwen2.5-0.5b")!;
        var plan = SyntheticModelPlan.Tensors("qwen2", shape, GgmlType.Q4_K, shape.VocabSize);
        Assert.Equal(2 + 24 * 12, plan.Count);
        Assert.Equal(494_032_768L, plan.Sum(t => t.ElementCount)); // Qwen2.5-0.5B's published parameter count
        var byName = plan.ToDictionary(t => t.Name);
        Assert.Equal([896L, 151936L], byName["token_embd.weight"].Dims);
        Assert.Equal([896L, 896L], byName["blk.23.attn_q.weight"].Dims);
        Assert.Equal([896L, 128L], byName["blk.23.attn_k.weight"].Dims);
        Assert.Equal([896L, 128L], byName["blk.0.attn_v.weight"].Dims);
        Assert.Equal([896L], byName["blk.0.attn_q.bias"].Dims);
        Assert.Equal([128L], byName["blk.0.attn_k.bias"].Dims);
        Assert.Equal([896L, 4864L], byName["blk.5.ffn_up.weight"].Dims);
        Assert.Equal([4864L, 896L], byName["blk.5.ffn_down.weight"].Dims);
        Assert.False(byName.ContainsKey("output.weight"));
        Assert.False(byName.ContainsKey("rope_freqs.weight"));
        // 896 is not a multiple of 256: those matrices fall back to Q8_0; ffn_down rows (4864 = 19 * 256) stay Q4_K
        Assert.Equal(GgmlType.Q8_0, byName["blk.5.ffn_up.weight"].Type);
        Assert.Equal(GgmlType.Q8_0, byName["token_embd.weight"].Type);
        Assert.Equal(GgmlType.Q4_K, byName["blk.5.ffn_down.weight"].Type);
        Assert.Equal(GgmlType.F32, byName["blk.5.ffn_norm.weight"].Type);
        Assert.Equal(24 * 6 + 1, plan.Count(t => t.Fallback != null)); // q, k, v, output, gate, up per layer + token_embd
    }

    [Fact]
    public void Llama32_1B_HasTheRealTensorsAndLlama3RopeFactors()
    {
        var shape = SyntheticShape.Find("llama-3.2-1b")!;
        var plan = SyntheticModelPlan.Tensors("llama", shape, GgmlType.Q8_0, shape.VocabSize);
        Assert.Equal(3 + 16 * 9, plan.Count);
        Assert.Equal(1_235_814_400L + 32, plan.Sum(t => t.ElementCount)); // Llama-3.2-1B's weights plus 32 rope factors
        var byName = plan.ToDictionary(t => t.Name);
        Assert.Equal([2048L, 128256L], byName["token_embd.weight"].Dims);
        Assert.Equal([2048L, 512L], byName["blk.15.attn_k.weight"].Dims);
        Assert.Equal([2048L, 8192L], byName["blk.15.ffn_gate.weight"].Dims);
        Assert.Equal([8192L, 2048L], byName["blk.15.ffn_down.weight"].Dims);
        Assert.False(byName.ContainsKey("blk.0.attn_q.bias"));
        Assert.All(plan.Where(t => t.Dims.Length == 2), t => Assert.Equal(GgmlType.Q8_0, t.Type));

        var rope = byName["rope_freqs.weight"];
        Assert.Equal(GgmlType.F32, rope.Type);
        Assert.Equal([32L], rope.Dims);
        float[] factors = rope.Values!;
        double[] expected = ExpectedLlama3Factors(500000, 64, 32, 1, 4, 8192);
        for (int i = 0; i < 32; i++) Assert.Equal(expected[i], factors[i], 1e-3);
        Assert.Equal(1f, factors[0]);
        Assert.Equal(32f, factors[31]);
        Assert.Contains(factors, f => f > 1 && f < 32); // the smooth band exists
    }

    [Fact]
    public void LlamaLayoutWithQwenShape_IsAllowed_AndHasNoBiases()
    {
        var shape = SyntheticShape.Find("qwen2.5-0.5b")!;
        var plan = SyntheticModelPlan.Tensors("llama", shape, GgmlType.F16, shape.VocabSize);
        Assert.DoesNotContain(plan, t => t.Name.EndsWith(".bias", StringComparison.Ordinal));
        Assert.Equal(2 + 24 * 9, plan.Count);
        Assert.All(plan.Where(t => t.Dims.Length == 2), t => Assert.Equal(GgmlType.F16, t.Type));
    }

    [Theory]
    [InlineData("qwen2", "qwen2.5-0.5b", 32768, 896, 24, 4864, 14, 2, 1e6, 1e-6, 64, 151936, "qwen2")]
    [InlineData("llama", "llama-3.2-1b", 131072, 2048, 16, 8192, 32, 8, 5e5, 1e-5, 64, 128256, "llama-bpe")]
    public void WriteHeaderOnly_BigShapes_HaveTheRealMetadata(string arch, string shape, int context, int embd, int blocks, int ff,
        int heads, int kvHeads, double ropeBase, double eps, int ropeDims, int vocab, string pre)
    {
        using var dir = new Spark.Testing.TempDirectory();
        string path = dir.File("h.gguf");
        var info = SyntheticModel.Write(new SyntheticModelSpec(arch, shape, GgmlType.Q4_K, 9), path, headerOnly: true);
        using var f = Spark.Engine.Gguf.GgufFile.Open(path);
        var m = f.Metadata;
        Assert.Empty(f.Tensors);
        Assert.Equal(arch, m.GetString("general.architecture"));
        Assert.Equal($"spark-synthetic {shape} q4_k seed 9", m.GetString("general.name"));
        Assert.Equal(14, m.GetInteger("general.file_type"));
        Assert.Equal(context, m.GetInteger($"{arch}.context_length"));
        Assert.Equal(embd, m.GetInteger($"{arch}.embedding_length"));
        Assert.Equal(blocks, m.GetInteger($"{arch}.block_count"));
        Assert.Equal(ff, m.GetInteger($"{arch}.feed_forward_length"));
        Assert.Equal(heads, m.GetInteger($"{arch}.attention.head_count"));
        Assert.Equal(kvHeads, m.GetInteger($"{arch}.attention.head_count_kv"));
        Assert.Equal((float)ropeBase, (float)m.GetNumber($"{arch}.rope.freq_base")!.Value);
        Assert.Equal((float)eps, (float)m.GetNumber($"{arch}.attention.layer_norm_rms_epsilon")!.Value);
        Assert.Equal(ropeDims, m.GetInteger($"{arch}.rope.dimension_count"));
        Assert.Equal(vocab, m.GetInteger($"{arch}.vocab_size"));
        Assert.Equal(vocab, m.GetStringArray("tokenizer.ggml.tokens")!.Length);
        Assert.Equal(pre, m.GetString("tokenizer.ggml.pre"));
        Assert.Equal(vocab, info.VocabSize);
    }

    [Theory]
    [InlineData(GgmlType.Q4_K, 256, GgmlType.Q4_K)]
    [InlineData(GgmlType.Q4_K, 896, GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0, 64, GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_0, 48, GgmlType.F16)]
    [InlineData(GgmlType.Q8_0, 40, GgmlType.F16)]
    [InlineData(GgmlType.F16, 7, GgmlType.F16)]
    public void TypeFor_FallsBackWhenRowsAreNotWholeBlocks(GgmlType requested, long rowLength, GgmlType expected) =>
        Assert.Equal(expected, SyntheticModelPlan.TypeFor(requested, rowLength));

    /// <summary>The converter's formula, in double precision throughout.</summary>
    private static double[] ExpectedLlama3Factors(double theta, int dim, double factor, double low, double high, double oldContext)
    {
        var result = new double[dim / 2];
        for (int i = 0; i < result.Length; i++)
        {
            double freq = 1.0 / Math.Pow(theta, 2.0 * i / dim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < oldContext / high) result[i] = 1;
            else if (wavelen > oldContext / low) result[i] = factor;
            else
            {
                double smooth = (oldContext / wavelen - low) / (high - low);
                result[i] = 1 / ((1 - smooth) / factor + smooth);
            }
        }
        return result;
    }
}
