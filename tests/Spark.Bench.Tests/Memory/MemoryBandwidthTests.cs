using Spark.Bench.Memory;

namespace Spark.Bench.Tests.Memory;

public class MemoryBandwidthTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Measure_SmallArrays_ReturnsPositiveRatesForEveryLoop(int threads)
    {
        var r = MemoryBandwidth.Measure(threads, 4L << 20, reps: 2);

        Assert.Equal(threads, r.Threads);
        Assert.Equal(4L << 20, r.ArrayBytes);
        Assert.Equal(2, r.Reps);
        foreach (var s in new[] { r.Copy, r.Triad, r.Read })
        {
            Assert.Equal(2, s.Samples.Count);
            Assert.All(s.Samples, x => Assert.True(x > 0 && double.IsFinite(x), $"rate {x}"));
        }
        Assert.Equal(r.Copy.Max, r.CopyGbPerS);
        Assert.Equal(r.Triad.Max, r.TriadGbPerS);
        Assert.Equal(r.Read.Max, r.ReadGbPerS);
    }

    [Fact]
    public void Measure_SizeNotAWholeNumberOfBlocks_RoundsDown()
    {
        long blockBytes = StreamJob.Block * sizeof(double);
        var r = MemoryBandwidth.Measure(2, 1000 * blockBytes + 7, reps: 1);
        Assert.Equal(1000 * blockBytes, r.ArrayBytes);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(7, 21)]
    [InlineData(10, 24)] // 0+1+…+6, then 0+1+2
    [InlineData(16, 43)] // two cycles of 21, then 0+1
    public void ExpectedSum_OfTheFill_CountsWholeAndPartialCycles(int length, double expected)
    {
        Assert.Equal(expected, StreamJob.ExpectedSum(length));
    }

    [Theory]
    [InlineData(0, 1 << 20, 1, "threads must be at least 1")]
    [InlineData(1, 1 << 20, 0, "reps must be at least 1")]
    [InlineData(1, 8, 1, "array size must be between")]
    [InlineData(1, 1L << 40, 1, "array size must be between")]
    public void Measure_OutOfRange_ThrowsNamingTheProblem(int threads, long bytes, int reps, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => MemoryBandwidth.Measure(threads, bytes, reps));
        Assert.Contains(expected, e.Message);
    }
}
