using Spark.Bench.Statistics;

namespace Spark.Bench.Tests.Statistics;

public class SampleSummaryTests
{
    [Fact]
    public void Of_OddCount_MedianIsTheMiddleValue()
    {
        var s = SampleSummary.Of([30.0, 10.0, 20.0]);
        Assert.Equal(20.0, s.Median);
        Assert.Equal(10.0, s.Min);
        Assert.Equal(30.0, s.Max);
        Assert.Equal(20.0, s.Mean);
        Assert.Equal(10.0, s.StdDev, 12); // sqrt((100 + 0 + 100) / 2)
    }

    [Fact]
    public void Of_EvenCount_MedianIsTheMeanOfTheTwoMiddleValues()
    {
        var s = SampleSummary.Of([9.0, 2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0]);
        Assert.Equal(4.5, s.Median);
        Assert.Equal(5.0, s.Mean);
        Assert.Equal(Math.Sqrt(32.0 / 7.0), s.StdDev, 12); // squared deviations sum to 32, sample (n − 1) variance
    }

    [Fact]
    public void Of_OneSample_HasNoSpread()
    {
        var s = SampleSummary.Of([42.5]);
        Assert.Equal(42.5, s.Median);
        Assert.Equal(0.0, s.StdDev);
        Assert.Equal(s.Min, s.Max);
    }

    [Fact]
    public void Of_KeepsSamplesInTheOrderTaken_AndCopiesThem()
    {
        var input = new List<double> { 3, 1, 2 };
        var s = SampleSummary.Of(input);
        input[0] = 100;
        Assert.Equal([3.0, 1.0, 2.0], s.Samples);
    }

    [Fact]
    public void Of_NoSamples_ThrowsSayingSo()
    {
        var e = Assert.Throws<ArgumentException>(() => SampleSummary.Of([]));
        Assert.Contains("at least one sample", e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Of_NonFiniteSample_ThrowsNamingIt(double bad)
    {
        var e = Assert.Throws<ArgumentException>(() => SampleSummary.Of([1.0, bad]));
        Assert.Contains("not a finite number", e.Message);
    }
}
