using Spark.Engine.Gguf;
using Spark.Engine.Inference;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Engine.Tests.Models;

/// <summary>The engine's logits match the float64 reference forward pass on tiny random models.</summary>
public class TransformerReferenceTests
{
    private static readonly int[] s_tokens = [1, 17, 5, 42, 42, 9, 88, 3, 60, 2];

    public static TheoryData<string, GgmlType, double> Cases() => new()
    {
        // architecture, weight type, max |logit error| (logits are O(1–10); F32 vs double measured ~1e-5)
        { "llama", GgmlType.F32, 1e-4 },
        { "llama", GgmlType.F16, 1e-4 },
        { "qwen2", GgmlType.F32, 1e-4 },
        { "qwen2", GgmlType.F16, 1e-4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_EveryPosition_MatchesReferenceLogits(string arch, GgmlType type, double tolerance)
    {
        var spec = arch == "llama" ? TestModels.Llama(type: type) : TestModels.Qwen2(type: type);
        AssertMatchesReference(spec, tolerance);
    }

    [Fact]
    public void Decode_LlamaWithTiedEmbeddingsAndMhaAndPartialRope_MatchesReference() =>
        AssertMatchesReference(TestModels.Llama(heads: 4, kvHeads: 4) with { TiedEmbeddings = true, RopeDimensions = 8 }, 1e-4);

    [Fact]
    public void Decode_Qwen2WithSeparateOutputAndOneKvHead_MatchesReference() =>
        AssertMatchesReference(TestModels.Qwen2(kvHeads: 1, layers: 3) with { TiedEmbeddings = false }, 1e-4);

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void RopeFrequencyFactors_ChangeLogitsAsTheReferenceSays(string arch)
    {
        var baseSpec = arch == "llama" ? TestModels.Llama() : TestModels.Qwen2();
        float[] factors = [.. Enumerable.Range(0, baseSpec.HeadDim / 2).Select(i => 1f + 3f * i / baseSpec.HeadDim)];
        var scaled = AssertMatchesReference(baseSpec with { RopeFrequencyFactors = factors }, 1e-4);
        var plain = AssertMatchesReference(baseSpec, 1e-4);
        Assert.True(MaxDifference(scaled, plain) > 1e-2, "rope frequency factors did not change the logits");
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void LinearRopeScaling_ChangesLogitsAsTheReferenceSays(string arch)
    {
        var baseSpec = arch == "llama" ? TestModels.Llama() : TestModels.Qwen2();
        var scaled = AssertMatchesReference(baseSpec with { RopeLinearFactor = 4f }, 1e-4);
        var plain = AssertMatchesReference(baseSpec, 1e-4);
        Assert.True(MaxDifference(scaled, plain) > 1e-2, "linear rope scaling did not change the logits");
    }

    /// <summary>Builds the model, runs <see cref="s_tokens"/> through engine and reference, returns the engine's logits per position.</summary>
    internal static List<float[]> AssertMatchesReference(TestModelSpec spec, double tolerance)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("model.gguf"), spec);
        using var model = SparkModel.Load(path, new ModelLoadOptions { Threads = 2 });
        using var file = GgufFile.Open(path);
        var reference = new ReferenceTransformer(file);
        var session = model.CreateSession();
        var all = new List<float[]>();
        double worst = 0;
        foreach (int token in s_tokens)
        {
            float[] ours = session.Decode(token).ToArray();
            double[] expected = reference.Next(token);
            Assert.Equal(expected.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++) worst = Math.Max(worst, Math.Abs(ours[i] - expected[i]));
            all.Add(ours);
        }
        Assert.True(worst <= tolerance, $"{spec.Architecture} {spec.Type}: max |logit error| {worst:E2} exceeds {tolerance:E2}");
        return all;
    }

    private static double MaxDifference(List<float[]> a, List<float[]> b)
    {
        double max = 0;
        for (int p = 0; p < a.Count; p++)
            for (int i = 0; i < a[p].Length; i++) max = Math.Max(max, Math.Abs(a[p][i] - b[p][i]));
        return max;
    }
}
