namespace Spark.Testing;

/// <summary>
/// Measures what a piece of code allocates on the calling thread once it runs in its steady state.
/// </summary>
/// <remarks>
/// The runtime itself sometimes allocates on the thread that crosses a tiered-compilation threshold (tier-up,
/// on-stack replacement, re-creating the background compilation worker): a few hundred bytes, at most once per
/// method and not on every run. Taking the least of several measured rounds drops those one-off allocations, while
/// code that allocates on every call still shows in every round and still fails the test.
/// </remarks>
public static class SteadyStateAllocations
{
    /// <summary>
    /// Runs <paramref name="round"/> once to warm up, then <paramref name="attempts"/> more times, and returns the
    /// fewest bytes the calling thread allocated in one measured round.
    /// </summary>
    public static long Measure(Action round, int attempts = 4)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        round();
        long least = long.MaxValue;
        for (int i = 0; i < attempts && least > 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
