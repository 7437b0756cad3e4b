using System.Diagnostics;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// Holds a level's conversations until all of them are connected, then releases them together, so "C at once"
/// means C requests really leave at the same moment rather than whenever each connection happened to be ready.
/// </summary>
internal sealed class StartLine(int expected)
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    /// <summary>When the last conversation arrived (<see cref="Stopwatch"/> ticks): the level's wall time counts from here.</summary>
    public long ReleasedAt { get; private set; }

    /// <summary>Counts this conversation in and waits for the others (or for cancellation: one of them failed).</summary>
    public Task ArriveAndWaitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _arrived) == expected)
        {
            ReleasedAt = Stopwatch.GetTimestamp();
            _released.TrySetResult();
        }
        return _released.Task.WaitAsync(cancellationToken);
    }
}
