using System.Diagnostics;
using Spark.Bench.Statistics;
using Spark.Engine.Threading;

namespace Spark.Bench.Memory;

/// <summary>
/// STREAM-style memory bandwidth (copy, triad, read-only sum) measured in-process on the engine's own kind of worker
/// pool, so it is the bandwidth the forward pass can reach with the same thread count. Arrays must be far larger than
/// the caches (STREAM's rule: 4× the last-level cache) for the figure to mean main memory.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>The largest array accepted: a span of doubles must be indexable by an int.</summary>
    public const long MaxArrayBytes = 8L << 30;

    /// <summary>
    /// Allocates three arrays of <paramref name="arrayBytes"/> bytes (rounded down to whole loop blocks), touches them
    /// once untimed, then times <paramref name="reps"/> rounds of copy, triad and read. Throws
    /// <see cref="ArgumentException"/> for a thread count, size or repetition count out of range, or arrays that would
    /// not fit in this machine's memory.
    /// </summary>
    public static MemoryBandwidthResult Measure(int threads, long arrayBytes, int reps)
    {
        if (threads < 1) throw new ArgumentException($"threads must be at least 1, got {threads}");
        if (reps < 1) throw new ArgumentException($"reps must be at least 1, got {reps}");
        long blockBytes = StreamJob.Block * sizeof(double);
        if (arrayBytes < blockBytes || arrayBytes > MaxArrayBytes)
            throw new ArgumentException($"the array size must be between {blockBytes} bytes and {MaxArrayBytes >> 20} MiB, got {arrayBytes} bytes");
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (3 * arrayBytes > available * 3 / 4)
            throw new ArgumentException(
                $"three arrays of {arrayBytes >> 20} MiB need {3 * arrayBytes >> 20} MiB, more than 3/4 of this machine's {available >> 20} MiB; choose a smaller size");

        int length = checked((int)(arrayBytes / blockBytes * StreamJob.Block));
        using var a = new AlignedBuffer(length);
        using var b = new AlignedBuffer(length);
        using var c = new AlignedBuffer(length);
        using var pool = new WorkerPool(threads);
        var job = new StreamJob(a, b, c, threads);
        job.Kernel = null;
        pool.Run(job);

        var kernels = new[] { StreamKernel.Copy, StreamKernel.Triad, StreamKernel.Read };
        var rates = kernels.Select(_ => new List<double>(reps)).ToArray();
        for (int rep = -1; rep < reps; rep++) // rep −1 warms the loops up and is not counted
            for (int k = 0; k < kernels.Length; k++)
            {
                job.Kernel = kernels[k];
                long started = Stopwatch.GetTimestamp();
                pool.Run(job);
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (rep >= 0) rates[k].Add(job.BytesMoved(kernels[k]) / seconds / 1e9);
            }
        if (job.LastSum != StreamJob.ExpectedSum(length))
            throw new InvalidOperationException($"the read loop summed {job.LastSum}, expected {StreamJob.ExpectedSum(length)}: a worker's share went missing");

        return new MemoryBandwidthResult
        {
            Threads = threads,
            ArrayBytes = (long)length * sizeof(double),
            Reps = reps,
            Copy = SampleSummary.Of(rates[0]),
            Triad = SampleSummary.Of(rates[1]),
            Read = SampleSummary.Of(rates[2]),
        };
    }
}
