using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Protocol.Responses;

namespace Spark.Agent.Tests.Loop;

public class RequestTimeSplitTests
{
    private static ModelResponse Response(double ttfoMs, double totalMs, SparkTiming? timing) => new(
        new ResponseObject
        {
            Id = "resp_1", CreatedAt = 1, Status = ResponseStatus.Completed, Model = "m",
            Usage = ResponseUsage.Of(100, 0, 10) with { SparkTiming = timing },
        },
        TimeSpan.FromMilliseconds(ttfoMs), TimeSpan.FromMilliseconds(totalMs));

    [Fact]
    public void Of_WithoutServerTiming_PrefillIsTimeToFirstOutput()
    {
        var (prefill, generation, fromServer) = RequestTimeSplit.Of(Response(300, 1000, null));
        Assert.Equal(300, prefill.TotalMilliseconds, 3);
        Assert.Equal(700, generation.TotalMilliseconds, 3);
        Assert.False(fromServer);
    }

    [Fact]
    public void Of_WithServerTiming_TheNetworkAndQueueAreLeftOut()
    {
        // the client waited 300 ms for the first output; the engine spent 950 ms in all, 700 of it while tokens streamed
        var (prefill, generation, fromServer) = RequestTimeSplit.Of(Response(300, 1000, new SparkTiming(QueueMs: 20, ComputeMs: 950)));
        Assert.Equal(250, prefill.TotalMilliseconds, 3);
        Assert.Equal(700, generation.TotalMilliseconds, 3);
        Assert.True(fromServer);
    }

    [Fact]
    public void Of_ServerTimingLargerThanTheClientsWait_NeverExceedsWhatTheClientSaw()
    {
        var (prefill, generation, _) = RequestTimeSplit.Of(Response(100, 200, new SparkTiming(0, 5000)));
        Assert.Equal(100, prefill.TotalMilliseconds, 3);
        Assert.Equal(100, generation.TotalMilliseconds, 3);
        var (p2, g2, _) = RequestTimeSplit.Of(Response(100, 900, new SparkTiming(0, 50)));
        Assert.Equal(0, p2.TotalMilliseconds, 3);
        Assert.Equal(50, g2.TotalMilliseconds, 3);
    }
}
