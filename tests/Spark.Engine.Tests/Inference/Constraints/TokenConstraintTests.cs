using System.Text;
using System.Text.Json;
using Spark.Engine.Gguf;
using Spark.Engine.Inference.Constraints;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;
using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Inference.Constraints;

/// <summary>Token masks over real synthetic vocabularies: random logits, constrained, always give a valid call.</summary>
public sealed class TokenConstraintTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static Tokenizer LoadTokenizer(string arch, string shape)
    {
        using var dir = new TempDirectory();
        string path = dir.File("v.gguf");
        SyntheticModel.Write(new SyntheticModelSpec(arch, shape, GgmlType.Q8_0, 1), path, headerOnly: true);
        using var f = GgufFile.Open(path);
        return Tokenizer.FromGguf(f.Metadata);
    }

    private static readonly Lazy<Tokenizer> Spm = new(() => LoadTokenizer("llama", "tiny"));

    private static ToolCallGrammar Grammar(ToolCallFormat format) => new(format,
    [
        new ToolSignature("get_weather", SchemaNode.Compile(JsonDocument.Parse("""
            {"type":"object","properties":{"city":{"type":"string","maxLength":40},"days":{"type":"integer"},
             "unit":{"enum":["celsius","fahrenheit"]},"tags":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":3}},
             "required":["city","unit"],"additionalProperties":false}
            """).RootElement)),
        new ToolSignature("noop", SchemaNode.Compile(JsonDocument.Parse("""{"type":"object","properties":{},"additionalProperties":false}""").RootElement)),
    ]);

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void RandomLogits_Constrained_ProduceAValidCall(int seed, bool llama3)
    {
        var tokenizer = Spm.Value;
        var grammar = Grammar(llama3 ? ToolCallFormat.Llama3Json : ToolCallFormat.Hermes);
        var constraint = new TokenConstraint(tokenizer, grammar);
        var rng = new Random(seed);
        var logits = new float[tokenizer.VocabSize];
        var bytes = new List<byte>();
        for (int step = 0; step < 5000 && !constraint.IsComplete; step++)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 10);
            var masked = constraint.Mask(logits);
            int best = 0;
            for (int i = 1; i < masked.Length; i++) if (masked[i] > masked[best]) best = i;
            constraint.Accept(best);
            bytes.AddRange(tokenizer.TokenBytes(best));
        }
        Assert.True(constraint.IsComplete);
        string text = Encoding.UTF8.GetString(bytes.ToArray()).Trim();
        string json = llama3 ? text : text["<tool_call>".Length..^"</tool_call>".Length];
        using var call = JsonDocument.Parse(json);
        string name = call.RootElement.GetProperty("name").GetString()!;
        var args = call.RootElement.GetProperty(llama3 ? "parameters" : "arguments");
        Assert.Contains(name, new[] { "get_weather", "noop" });
        if (name == "get_weather")
        {
            Assert.Equal(JsonValueKind.String, args.GetProperty("city").ValueKind);
            Assert.Contains(args.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
        }
    }

    [Fact]
    public void QwenVocabulary_RandomLogits_ProduceAValidCall_AndReportsTheMaskCost()
    {
        var tokenizer = LoadTokenizer("qwen2", "qwen2.5-0.5b");
        var constraint = new TokenConstraint(tokenizer, Grammar(ToolCallFormat.Hermes));
        var rng = new Random(11);
        var logits = new float[tokenizer.VocabSize];
        var bytes = new List<byte>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int steps = 0;
        for (; steps < 5000 && !constraint.IsComplete; steps++)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 10);
            var masked = constraint.Mask(logits);
            int best = 0;
            for (int i = 1; i < masked.Length; i++) if (masked[i] > masked[best]) best = i;
            constraint.Accept(best);
            bytes.AddRange(tokenizer.TokenBytes(best));
        }
        clock.Stop();
        Assert.True(constraint.IsComplete);
        string text = Encoding.UTF8.GetString(bytes.ToArray()).Trim();
        using var call = JsonDocument.Parse(text["<tool_call>".Length..^"</tool_call>".Length]);
        Assert.Equal(JsonValueKind.Object, call.RootElement.GetProperty("arguments").ValueKind);
        output.WriteLine($"qwen2.5 vocabulary ({tokenizer.VocabSize} tokens): {steps} constrained steps, {clock.Elapsed.TotalMilliseconds / steps:F2} ms per step (random logits: mostly full scans)");
    }

    [Fact]
    public void Mask_AfterWarmUp_AllocatesNothing()
    {
        var tokenizer = Spm.Value;
        var constraint = new TokenConstraint(tokenizer, Grammar(ToolCallFormat.Hermes));
        var logits = new float[tokenizer.VocabSize];
        var rng = new Random(5);
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)rng.NextDouble();
        constraint.Mask(logits);
        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 50; i++) constraint.Mask(logits);
        }));
    }

    [Fact]
    public void EndOfGenerationTokens_AreNeverAllowedBeforeTheCallIsComplete()
    {
        var tokenizer = Spm.Value;
        var constraint = new TokenConstraint(tokenizer, Grammar(ToolCallFormat.Hermes));
        Assert.False(constraint.Allows(tokenizer.EosId!.Value));
        Assert.Throws<InvalidOperationException>(() => constraint.Accept(tokenizer.EosId!.Value));
    }
}
