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
        // architecture, weight type, max |logit error| with exact F32 arithmetic (logits are O(1–10); measured ~1e-5)
        { "llama", GgmlType.F32, 1e-4 },
        { "llama", GgmlType.F16, 1e-4 },
        { "qwen2", GgmlType.F32, 1e-4 },
        { "qwen2", GgmlType.F16, 1e-4 },
        { "llama", GgmlType.BF16, 1e-4 },
        { "llama", GgmlType.Q8_0, 1e-4 },
        { "qwen2", GgmlType.Q8_0, 1e-4 },
        { "llama", GgmlType.Q4_0, 1e-4 },
        { "qwen2", GgmlType.Q4_1, 1e-4 },
        { "llama", GgmlType.Q5_0, 1e-4 },
        { "qwen2", GgmlType.Q5_1, 1e-4 },
        // k-quants need rows of 256
        { "llama", GgmlType.Q4_K, 1e-4 },
        { "qwen2", GgmlType.Q4_K, 1e-4 },
        { "llama", GgmlType.Q5_K, 1e-4 },
        { "llama", GgmlType.Q6_K, 1e-4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_EveryPosition_MatchesReferenceLogits(string arch, GgmlType type, double tolerance)
    {
        bool kQuant = GgmlTypeInfo.BlockSize(type) == GgmlTypeInfo.QK_K;
        int dim = kQuant ? 256 : 64, ff = kQuant ? 512 : 96;
        var spec = arch == "llama"
            ? TestModels.Llama(type: type, dim: dim, feedForward: ff)
            : TestModels.Qwen2(type: type, dim: dim, feedForward: ff);
        AssertMatchesReference(spec, tolerance);
    }

    public static TheoryData<string, GgmlType, double> RoundedCases() => new()
    {
        // architecture, weight type, max |logit error| / max |logit| with llama.cpp's roundings (F16 KV cache and
        // attention sums, activations rounded to F16 / Q8_0 / Q8_K before each matvec)
        { "llama", GgmlType.F32, 1e-3 },
        { "qwen2", GgmlType.F16, 1e-3 },
        { "llama", GgmlType.BF16, 1e-2 },
        { "llama", GgmlType.Q8_0, 3e-2 },
        { "qwen2", GgmlType.Q4_0, 3e-2 },
        { "llama", GgmlType.Q4_K, 3e-2 },
        { "qwen2", GgmlType.Q6_K, 3e-2 },
    };

    [Theory]
    [MemberData(nameof(RoundedCases))]
    public void Decode_WithLlamaCppRounding_StaysCloseToReference(string arch, GgmlType type, double relativeTolerance)
    {
        bool kQuant = GgmlTypeInfo.BlockSize(type) == GgmlTypeInfo.QK_K;
        int dim = kQuant ? 256 : 64, ff = kQuant ? 512 : 96;
        var spec = arch == "llama"
            ? TestModels.Llama(type: type, dim: dim, feedForward: ff)
            : TestModels.Qwen2(type: type, dim: dim, feedForward: ff);
        AssertMatchesReference(spec, relativeTolerance, exact: false);
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

    /// <summary>
    /// Builds the model, runs <see cref="s_tokens"/> through engine and reference, returns the engine's logits per position.
    /// <paramref name="exact"/> turns off the llama.cpp-compatible roundings so the math can be checked to F32 precision.
    /// </summary>
    internal static List<float[]> AssertMatchesReference(TestModelSpec spec, double tolerance, bool exact = true)
    {
        using var dir = new TempDirectory();
        string path = TestModels.Write(dir.File("model.gguf"), spec);
        using var model = SparkModel.Load(path, new ModelLoadOptions { Threads = 2, ExactArithmetic = exact });
        using var file = GgufFile.Open(path);
        var reference = new ReferenceTransformer(file);
        var session = model.CreateSession();
        var all = new List<float[]>();
        double worst = 0, largest = 0;
        foreach (int token in s_tokens)
        {
            float[] ours = session.Decode(token).ToArray();
            double[] expected = reference.Next(token);
            Assert.Equal(expected.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(ours[i] - expected[i]));
                largest = Math.Max(largest, Math.Abs(expected[i]));
            }
            all.Add(ours);
        }
        if (!exact) worst /= largest; // rounded mode: the tolerance is relative to the largest logit
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
