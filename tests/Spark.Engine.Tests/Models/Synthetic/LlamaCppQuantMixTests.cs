using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;

namespace Spark.Engine.Tests.Models.Synthetic;

public class LlamaCppQuantMixTests
{
    private static double TensorMiB(List<SyntheticTensor> plan) =>
        plan.Sum(t => GgmlTypeInfo.RowBytes(t.Type, t.RowLength) * (double)t.Rows) / (1024 * 1024);

    [Fact]
    public void Qwen25_05B_Q4KM_HasLlamaCppsTypesAndItsFileSize()
    {
        var shape = SyntheticShape.Find("qwen2.5-0.5b")!;
        var plan = SyntheticModelPlan.Tensors("qwen2", shape, GgmlType.Q4_K, shape.VocabSize, SyntheticMix.LlamaCpp);
        var byName = plan.ToDictionary(t => t.Name);
        // the tied embedding is the output: Q6_K asked, 896-wide rows fall back to Q8_0
        Assert.Equal(GgmlType.Q8_0, byName["token_embd.weight"].Type);
        // 896-wide rows: Q4_K falls back to Q5_0 (llama.cpp), not to Q8_0 (Spark's pure fallback)
        Assert.Equal(GgmlType.Q5_0, byName["blk.3.attn_q.weight"].Type);
        Assert.Equal(GgmlType.Q5_0, byName["blk.3.ffn_up.weight"].Type);
        Assert.Equal(GgmlType.Q5_0, byName["blk.3.attn_v.weight"].Type);
        // more bits for layers 0-2, 21-23 and every third between (5, 8, …, 20): attn_v Q6_K → Q8_0, ffn_down Q6_K
        Assert.Equal(GgmlType.Q8_0, byName["blk.0.attn_v.weight"].Type);
        Assert.Equal(GgmlType.Q8_0, byName["blk.5.attn_v.weight"].Type);
        Assert.Equal(GgmlType.Q6_K, byName["blk.23.ffn_down.weight"].Type);
        Assert.Equal(GgmlType.Q6_K, byName["blk.20.ffn_down.weight"].Type);
        Assert.Equal(GgmlType.Q4_K, byName["blk.4.ffn_down.weight"].Type);
        Assert.Equal(12, plan.Count(t => t.Name.EndsWith("ffn_down.weight", StringComparison.Ordinal) && t.Type == GgmlType.Q6_K));
        // llama.cpp's Q4_K_M file of this shape is 374 MiB (PERF-ANCHORS.md); its header adds ~3 MiB of vocabulary
        Assert.InRange(TensorMiB(plan), 371, 375);
    }

    [Fact]
    public void Qwen25_05B_Q4_0_KeepsTheOutputWiderAsLlamaCppDoes()
    {
        var shape = SyntheticShape.Find("qwen2.5-0.5b")!;
        var plan = SyntheticModelPlan.Tensors("qwen2", shape, GgmlType.Q4_0, shape.VocabSize, SyntheticMix.LlamaCpp);
        Assert.Equal(GgmlType.Q8_0, plan.Single(t => t.Name == "token_embd.weight").Type);
        Assert.All(plan.Where(t => t.Dims.Length == 2 && t.Name != "token_embd.weight"), t => Assert.Equal(GgmlType.Q4_0, t.Type));
        Assert.InRange(TensorMiB(plan), 327, 331); // llama.cpp's Q4_0 of this shape: 330 MiB
        var pure = SyntheticModelPlan.Tensors("qwen2", shape, GgmlType.Q4_0, shape.VocabSize);
        Assert.InRange(TensorMiB(pure), 260, 266); // every matrix Q4_0: the smaller file Spark wrote before
    }

    [Fact]
    public void Llama32_1B_Q4KM_OutputIsQ6K()
    {
        var shape = SyntheticShape.Find("llama-3.2-1b")!;
        var plan = SyntheticModelPlan.Tensors("llama", shape, GgmlType.Q4_K, shape.VocabSize, SyntheticMix.LlamaCpp);
        var byName = plan.ToDictionary(t => t.Name);
        Assert.Equal(GgmlType.Q6_K, byName["token_embd.weight"].Type);
        Assert.Equal(GgmlType.Q6_K, byName["blk.0.attn_v.weight"].Type);
        Assert.Equal(GgmlType.Q4_K, byName["blk.3.attn_v.weight"].Type);
        Assert.Equal(GgmlType.Q4_K, byName["blk.3.attn_q.weight"].Type);
        Assert.DoesNotContain(plan, t => t.Fallback != null);
    }

    [Fact]
    public void Q8_0_UnderLlamaCppsMix_IsAllQ8_0()
    {
        var shape = SyntheticShape.Find("qwen2.5-0.5b")!;
        var plan = SyntheticModelPlan.Tensors("qwen2", shape, GgmlType.Q8_0, shape.VocabSize, SyntheticMix.LlamaCpp);
        Assert.All(plan.Where(t => t.Dims.Length == 2), t => Assert.Equal(GgmlType.Q8_0, t.Type));
    }

    [Theory]
    [InlineData(0, 24, true)]
    [InlineData(2, 24, true)]
    [InlineData(3, 24, false)]
    [InlineData(4, 24, false)]
    [InlineData(5, 24, true)]
    [InlineData(20, 24, true)]
    [InlineData(21, 24, true)]
    [InlineData(1, 16, true)]
    [InlineData(2, 16, false)]
    [InlineData(4, 16, true)]
    [InlineData(14, 16, true)]
    public void UseMoreBits_PicksLlamaCppsLayers(int layer, int layers, bool expected) =>
        Assert.Equal(expected, LlamaCppQuantMix.UseMoreBits(layer, layers));

    [Theory]
    [InlineData(GgmlType.Q4_K, 896, GgmlType.Q5_0)]
    [InlineData(GgmlType.Q5_K, 896, GgmlType.Q5_1)]
    [InlineData(GgmlType.Q6_K, 896, GgmlType.Q8_0)]
    [InlineData(GgmlType.Q6_K, 4864, GgmlType.Q6_K)]
    [InlineData(GgmlType.Q4_0, 48, GgmlType.F16)]
    public void Fallback_IsLlamaCpps(GgmlType requested, long rowLength, GgmlType expected) =>
        Assert.Equal(expected, LlamaCppQuantMix.Fallback(requested, rowLength));

    [Fact]
    public void TinyQ4KM_LoadsAndDecodesLikeAnyModel()
    {
        using var dir = new Spark.Testing.TempDirectory();
        string path = dir.File("m.gguf");
        var info = SyntheticModel.Write(new SyntheticModelSpec("qwen2", "tiny", GgmlType.Q4_K, 3, Mix: SyntheticMix.LlamaCpp), path);
        using var f = Spark.Engine.Gguf.GgufFile.Open(path);
        Assert.Equal(15, f.Metadata.GetInteger("general.file_type")); // LLAMA_FTYPE_MOSTLY_Q4_K_M
        Assert.EndsWith("q4_k_m seed 3", f.Metadata.GetString("general.name"));
        Assert.True(info.TensorTypes.Count >= 2);
        using var model = Spark.Engine.Inference.SparkModel.Load(path, new Spark.Engine.Inference.ModelLoadOptions { Threads = 1, ContextLength = 64 });
        var session = model.CreateSession();
        session.Prefill([1, 2, 3]);
        Assert.All(session.Decode(4).ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
