namespace Spark.Server.Backends;

/// <summary>
/// Waits for a generation's first step (the time spent queued and prefilling, which can be long) while calling a
/// heartbeat every interval, so proxies and clients see a live stream. Later steps come a token apart and need none.
/// </summary>
internal static class Heartbeats
{
    public static async ValueTask<GenerationStep> FirstStepAsync(IGeneration generation, TimeSpan interval,
        Func<CancellationToken, ValueTask> beat, CancellationToken cancellationToken)
    {
        var next = generation.NextAsync(cancellationToken);
        if (next.IsCompleted || interval <= TimeSpan.Zero) return await next;
        var step = next.AsTask();
        while (await Task.WhenAny(step, Task.Delay(interval, cancellationToken)) != step)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await beat(cancellationToken);
        }
        return await step;
    }
}
