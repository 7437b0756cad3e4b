using Spark.Engine.Models.Synthetic;

namespace Spark.Engine.Tests.Models.Synthetic;

public class SyntheticRandomTests
{
    [Fact]
    public void SplitMix64_MatchesTheReferenceSequence()
    {
        ulong state = 0;
        Assert.Equal(0xe220a8397b1dcdafUL, SyntheticRandom.SplitMix64(ref state));
        Assert.Equal(0x6e789e6aa1b965f4UL, SyntheticRandom.SplitMix64(ref state));
    }

    [Fact]
    public void SameSeedAndName_GiveTheSameStream_OtherNameOrRowAnother()
    {
        var a = SyntheticRandom.For(1, "blk.0.attn_q.weight", 3);
        var b = SyntheticRandom.For(1, "blk.0.attn_q.weight", 3);
        var c = SyntheticRandom.For(1, "blk.0.attn_k.weight", 3);
        var d = SyntheticRandom.For(1, "blk.0.attn_q.weight", 4);
        ulong first = a.NextUInt64();
        Assert.Equal(first, b.NextUInt64());
        Assert.NotEqual(first, c.NextUInt64());
        Assert.NotEqual(first, d.NextUInt64());
    }

    [Fact]
    public void FillNormal_HasTheRequestedMeanAndStd_AndIsBounded()
    {
        var random = new SyntheticRandom(123);
        var values = new float[200_000];
        random.FillNormal(values, 2f, 0.5f);
        double mean = values.Average(v => (double)v);
        double std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, 1.99, 2.01);
        Assert.InRange(std, 0.49, 0.51);
        Assert.All(values, v => Assert.InRange(v, 2f - 3f, 2f + 3f)); // at most 6 sigma
        // roughly normal: about 68% within one sigma
        double within = values.Count(v => Math.Abs(v - 2f) < 0.5f) / (double)values.Length;
        Assert.InRange(within, 0.66, 0.70);
    }
}
