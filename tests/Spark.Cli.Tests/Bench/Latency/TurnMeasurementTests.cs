using Spark.Cli.Bench.Latency;

namespace Spark.Cli.Tests.Bench.Latency;

public class TurnMeasurementTests
{
    [Fact]
    public void Overhead_WithServerTiming_IsWallMinusServerTime()
    {
        var turn = new TurnMeasurement(1, TtftMs: 30, InterTokenMs: [5, 5], WallMs: 50, ServerMs: 46.5, OutputTokens: 3, ResponseId: "r");
        Assert.Equal(3.5, turn.OverheadMs, 9);
    }

    [Fact]
    public void Overhead_WithoutServerTiming_IsTtftMinusTheMedianTokenGap()
    {
        var turn = new TurnMeasurement(1, TtftMs: 30, InterTokenMs: [4, 6, 100], WallMs: 200, ServerMs: null, OutputTokens: 4, ResponseId: "r");
        Assert.Equal(24, turn.OverheadMs, 9);
    }

    [Fact]
    public void Overhead_NoTextAndNoServerTiming_IsUnknown()
    {
        var turn = new TurnMeasurement(1, TtftMs: double.NaN, InterTokenMs: [], WallMs: 20, ServerMs: null, OutputTokens: 0, ResponseId: "r");
        Assert.True(double.IsNaN(turn.OverheadMs));
    }
}
