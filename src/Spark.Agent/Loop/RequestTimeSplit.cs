using Spark.Agent.Client;

namespace Spark.Agent.Loop;

/// <summary>
/// Splits one model request's time into prefill and generation. With only the client's clocks, prefill is request
/// sent → first output, so it includes the network and the server's queue. When the server reports its own engine
/// time (Spark's <c>usage.spark_timing.compute_ms</c>), the split uses it: tokens stream as they are decoded, so the
/// client's first-output → done span is generation, and the rest of the engine time is prefill; what the client
/// waited beyond that (network, queue, parsing) is left out of both and lands in the turn's overhead.
/// </summary>
internal static class RequestTimeSplit
{
    /// <summary>Prefill and generation of <paramref name="response"/>, and whether the server's timing was used.</summary>
    public static (TimeSpan Prefill, TimeSpan Generation, bool FromServer) Of(ModelResponse response)
    {
        var generation = Max(response.Total - response.TimeToFirstOutput);
        if (response.Response.Usage?.SparkTiming is not { } server) return (response.TimeToFirstOutput, generation, false);
        var compute = TimeSpan.FromMilliseconds(Math.Max(0, server.ComputeMs));
        if (generation > compute) generation = compute;
        var prefill = compute - generation;
        if (prefill > response.TimeToFirstOutput) prefill = response.TimeToFirstOutput;
        return (prefill, generation, true);
    }

    private static TimeSpan Max(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;
}
