using Spark.Engine.Inference;
using Spark.Testing;

namespace Spark.Engine.Tests.Inference;

public class SamplerTests
{
    private static float[] Logits(int n, int seed)
    {
        var rng = new Random(seed);
        var l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float)(rng.NextDouble() * 10 - 5);
        return l;
    }

    [Fact]
    public void Sample_Greedy_ReturnsArgMax()
    {
        var logits = Logits(1000, 1);
        int expected = Array.IndexOf(logits, logits.Max());
        Assert.Equal(expected, new Sampler(SamplerOptions.Greedy, 1000).Sample(logits));
    }

    [Fact]
    public void Sample_TopKOne_EqualsGreedyAtAnyTemperature()
    {
        var logits = Logits(500, 2);
        var s = new Sampler(new SamplerOptions { Temperature = 5, TopK = 1, Seed = 3 }, 500);
        int expected = Array.IndexOf(logits, logits.Max());
        for (int i = 0; i < 20; i++) Assert.Equal(expected, s.Sample(logits));
    }

    [Fact]
    public void Sample_SameSeed_SameSequence_DifferentSeed_DifferentSequence()
    {
        var logits = new float[50];
        var o = new SamplerOptions { Temperature = 1, TopK = 0, TopP = 1, MinP = 0, Seed = 42 };
        int[] Run(SamplerOptions opts)
        {
            var s = new Sampler(opts, 50);
            return Enumerable.Range(0, 40).Select(_ => s.Sample(logits)).ToArray();
        }
        Assert.Equal(Run(o), Run(o));
        Assert.NotEqual(Run(o), Run(o with { Seed = 43 }));
    }

    [Fact]
    public void Sample_TemperatureOne_FollowsSoftmax()
    {
        var logits = new[] { 0f, MathF.Log(3) }; // probabilities 0.25, 0.75
        var s = new Sampler(new SamplerOptions { Temperature = 1, TopK = 0, TopP = 1, MinP = 0, Seed = 7 }, 2);
        int ones = 0;
        for (int i = 0; i < 20000; i++) ones += s.Sample(logits);
        Assert.InRange(ones / 20000.0, 0.73, 0.77);
    }

    [Fact]
    public void Sample_TopP_KeepsOnlyTheNucleus()
    {
        var logits = new[] { 10f, 9f, 0f, 0f, 0f }; // top two hold ~99.99%
        var s = new Sampler(new SamplerOptions { Temperature = 100, TopK = 0, TopP = 0.9f, MinP = 0, Seed = 1 }, 5);
        for (int i = 0; i < 500; i++) Assert.InRange(s.Sample(logits), 0, 1);
    }

    [Fact]
    public void Sample_MinP_DropsUnlikelyTokens()
    {
        var logits = new[] { 5f, 5f - MathF.Log(2), 5f - MathF.Log(100) }; // relative 1, 0.5, 0.01
        var s = new Sampler(new SamplerOptions { Temperature = 100, TopK = 0, TopP = 1, MinP = 0.1f, Seed = 1 }, 3);
        var seen = new HashSet<int>();
        for (int i = 0; i < 2000; i++) seen.Add(s.Sample(logits));
        Assert.Equal([0, 1], seen.Order());
    }

    [Fact]
    public void Sample_RepetitionPenalty_MovesAwayFromRecentToken()
    {
        var logits = new[] { 2f, 1.5f, -1f };
        var s = new Sampler(new SamplerOptions { Temperature = 0, RepetitionPenalty = 2f }, 3);
        Assert.Equal(0, s.Sample(logits));
        s.Accept(0); // 2 / 2 = 1 < 1.5
        Assert.Equal(1, s.Sample(logits));
        s.Reset();
        Assert.Equal(0, s.Sample(logits));
    }

    [Fact]
    public void Sample_FrequencyAndPresencePenalties_CountOccurrences()
    {
        var logits = new[] { 3f, 1.9f };
        var freq = new Sampler(new SamplerOptions { Temperature = 0, FrequencyPenalty = 0.5f }, 2);
        freq.Accept(0);
        Assert.Equal(0, freq.Sample(logits)); // 3 - 0.5 = 2.5
        freq.Accept(0);
        freq.Accept(0);
        Assert.Equal(1, freq.Sample(logits)); // 3 - 1.5 = 1.5
        var presence = new Sampler(new SamplerOptions { Temperature = 0, PresencePenalty = 1.2f }, 2);
        presence.Accept(0);
        Assert.Equal(1, presence.Sample(logits)); // 3 - 1.2 = 1.8
    }

    [Fact]
    public void Sample_AfterWarmUp_AllocatesNothing()
    {
        var logits = Logits(32000, 5);
        var s = new Sampler(new SamplerOptions { Temperature = 0.8f, RepetitionPenalty = 1.1f, Seed = 1 }, 32000);
        for (int i = 0; i < 5; i++) s.Accept(s.Sample(logits));
        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 100; i++) s.Accept(s.Sample(logits));
        }));
    }

    [Theory]
    [InlineData(-1, 0.9f, 0.05f, 1f, "top-k")]
    [InlineData(0, 0f, 0.05f, 1f, "top-p")]
    [InlineData(0, 0.9f, 2f, 1f, "min-p")]
    [InlineData(0, 0.9f, 0.05f, 0f, "repetition penalty")]
    public void Constructor_OptionOutOfRange_NamesTheOption(int topK, float topP, float minP, float rep, string name)
    {
        var o = new SamplerOptions { TopK = topK, TopP = topP, MinP = minP, RepetitionPenalty = rep };
        Assert.Contains(name, Assert.Throws<ArgumentException>(() => new Sampler(o, 10)).Message);
    }

    [Fact]
    public void Sample_WrongLogitCount_Throws()
    {
        Assert.Contains("expected 10 logits", Assert.Throws<ArgumentException>(() => new Sampler(SamplerOptions.Greedy, 10).Sample(new float[9])).Message);
    }
}
