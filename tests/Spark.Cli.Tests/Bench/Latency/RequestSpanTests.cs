using Spark.Cli.Bench.Latency;

namespace Spark.Cli.Tests.Bench.Latency;

public class RequestSpanTests
{
    [Fact]
    public void MaxInFlight_OverlappingSpans_CountsTheMostOpenAtOnce()
    {
        RequestSpan[] spans = [new(0, 10), new(5, 20), new(6, 7), new(30, 40)];
        Assert.Equal(3, RequestSpan.MaxInFlight(spans));
    }

    [Fact]
    public void MaxInFlight_OneEndingWhenTheNextIsSent_DoesNotOverlap()
    {
        RequestSpan[] spans = [new(0, 10), new(10, 20), new(20, 30)];
        Assert.Equal(1, RequestSpan.MaxInFlight(spans));
    }

    [Fact]
    public void MaxInFlight_NoSpans_IsZero() => Assert.Equal(0, RequestSpan.MaxInFlight([]));

    [Theory]
    [InlineData("4", new[] { 4 })]
    [InlineData("1,2,4", new[] { 1, 2, 4 })]
    [InlineData(" 4 , 1 ", new[] { 4, 1 })]
    public void ConcurrencyLevels_ValidList_KeepsTheOrderGiven(string value, int[] expected) =>
        Assert.Equal(expected, ConcurrencyLevels.Parse(value));
}
