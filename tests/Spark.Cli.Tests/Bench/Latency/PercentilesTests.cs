using Spark.Cli.Bench.Latency;

namespace Spark.Cli.Tests.Bench.Latency;

public class PercentilesTests
{
    [Fact]
    public void Of_OneToHundred_InterpolatesBetweenClosestRanks()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray(); // unsorted on purpose
        var p = Percentiles.Of(samples);
        Assert.Equal(50.5, p.P50, 9);   // rank 49.5: between 50 and 51
        Assert.Equal(95.05, p.P95, 9);  // rank 94.05
        Assert.Equal(99.01, p.P99, 9);  // rank 98.01
        Assert.Equal(100, p.Count);
    }

    [Fact]
    public void Of_SingleSample_IsThatSampleEverywhere()
    {
        var p = Percentiles.Of([7.25]);
        Assert.Equal((7.25, 7.25, 7.25), (p.P50, p.P95, p.P99));
    }

    [Fact]
    public void Of_TwoSamples_P50IsTheirMeanAndP99NearsTheMaximum()
    {
        var p = Percentiles.Of([10.0, 20.0]);
        Assert.Equal(15, p.P50, 9);
        Assert.Equal(19.5, p.P95, 9);
        Assert.Equal(19.9, p.P99, 9);
    }

    [Fact]
    public void Of_NoSamples_IsNaNWithCountZero()
    {
        var p = Percentiles.Of([]);
        Assert.True(double.IsNaN(p.P50) && double.IsNaN(p.P95) && double.IsNaN(p.P99));
        Assert.Equal(0, p.Count);
    }

    [Fact]
    public void Of_NaNSample_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Percentiles.Of([1.0, double.NaN]));
        Assert.Contains("NaN", e.Message);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 5.0)]
    [InlineData(0.25, 2.0)]
    public void At_Extremes_AreMinimumAndMaximum(double p, double expected)
    {
        Assert.Equal(expected, Percentiles.At([1.0, 2.0, 3.0, 4.0, 5.0], p), 9);
    }
}
