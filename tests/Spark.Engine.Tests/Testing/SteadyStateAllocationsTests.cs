using Spark.Testing;

namespace Spark.Engine.Tests.Testing;

public class SteadyStateAllocationsTests
{
    private static object? s_keep;

    [Fact]
    public void Measure_CodeThatAllocatesEveryCall_ReportsTheBytesOfOneRound()
    {
        long bytes = SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 10; i++) s_keep = new byte[100];
        });
        Assert.True(bytes >= 10 * 100, $"measured {bytes} bytes");
    }

    [Fact]
    public void Measure_CodeThatAllocatesOnlyOnce_ReportsNothing()
    {
        bool first = true;
        long bytes = SteadyStateAllocations.Measure(() =>
        {
            if (first) s_keep = new byte[100];
            first = false;
        });
        Assert.Equal(0, bytes);
    }
}
