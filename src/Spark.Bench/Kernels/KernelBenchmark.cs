using System.Diagnostics;
using Spark.Engine.Kernels;
using Spark.Engine.Kernels.Quantized;
using Spark.Engine.Models.Synthetic;
using Spark.Engine.Tensors;
using Spark.Engine.Threading;

namespace Spark.Bench.Kernels;

/// <summary>
/// Single-thread speed of the matrix kernels per weight type: matrix·vector from a matrix held in L2 (the kernel's
/// arithmetic: is it compute-bound?), from main memory (what a decode step sees) and matrix·matrix over a batch of
/// tokens (prefill). The matrices repeat one quantized tile of random weights: a kernel's speed does not depend on
/// the values, and quantizing hundreds of MiB would take longer than measuring them.
/// </summary>
public static class KernelBenchmark
{
    private const int TileRows = 16;
    private const double MinSecondsPerRep = 0.01;
    private const double WarmUpRoundSeconds = 0.1;
    private const int MaxWarmUpRounds = 20;

    /// <summary>Measures every type of <paramref name="options"/>; <paramref name="progress"/> hears which one runs.</summary>
    public static KernelBenchResult Run(KernelBenchOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var kernels = MatVecKernels.For(options.Kernels);
        var rows = new List<KernelBenchRow>(options.Types.Count);
        using var pool = new WorkerPool(options.Threads);
        foreach (var type in options.Types)
        {
            progress?.Invoke($"measuring {type} ({options.Columns} columns, {kernels.Name})");
            rows.Add(Measure(kernels, pool, type, options));
        }
        return new KernelBenchResult
        {
            Kernels = kernels.Name,
            Columns = options.Columns,
            BatchTokens = options.BatchTokens,
            Reps = options.Reps,
            Threads = options.Threads,
            CpuTime = options.CpuTime,
            Types = rows,
        };
    }

    private static KernelBenchRow Measure(MatVecKernels kernels, WorkerPool pool, GgmlType type, KernelBenchOptions options)
    {
        int cols = options.Columns;
        long rowBytes = GgmlTypeInfo.RowBytes(type, cols);
        var tile = QuantizedTile(type, cols);
        int batch = Math.Max(1, options.BatchTokens);
        var x = new QuantizedActivations(cols, batch);
        x.Quantize(ActivationRounding.For(type), Gaussian(batch * cols, seed: 2), batch, cols);

        int cachedRows = RoundToTile(options.CachedBytes / rowBytes);
        var cached = Repeat(tile, cachedRows * rowBytes);
        // On AVX-512 the engine multiplies Q4_0/Q5_0/Q8_0 matrices in the interleaved layout (WeightMatrix): measure that.
        bool interleaved = kernels.Path == KernelPath.Avx512 && InterleavedRows.Fits(type, TileRows, cols);
        var packed = interleaved ? InterleavedRows.Repack(type, cached, cachedRows, cols) : null;
        var y = new float[Math.Max(cachedRows, 1) * batch];
        bool cpu = options.CpuTime;
        double cachedSeconds = Best(options.Reps, cpu, packed is null
            ? () => kernels.Multiply(type, cached, cols, x, 0, y, 0, cachedRows)
            : () => packed.Multiply(x, 0, y, 0, cachedRows));
        double cachedWeights = (double)cachedRows * cols;

        double? batchRate = null;
        if (options.BatchTokens > 0)
        {
            int tokens = options.BatchTokens;
            double seconds = Best(options.Reps, cpu, packed is null
                ? () => kernels.MultiplyBatch(type, cached, cols, x, tokens, y, cachedRows, 0, cachedRows)
                : () => packed.MultiplyBatch(x, tokens, y, cachedRows, 0, cachedRows));
            batchRate = cachedWeights * tokens / seconds / 1e9;
        }

        int memoryRows = RoundToTile(options.MemoryBytes / rowBytes);
        var memory = Repeat(tile, memoryRows * rowBytes);
        var yMemory = new float[memoryRows];
        IParallelWork job;
        if (interleaved)
        {
            var packedMemory = InterleavedRows.Repack(type, memory, memoryRows, cols);
            memory = [];
            job = new RowsJob(memoryRows, InterleavedRows.Rows, (start, end) => packedMemory.Multiply(x, 0, yMemory, start, end));
        }
        else job = new RowsJob(memoryRows, 1, (start, end) => kernels.Multiply(type, memory, cols, x, 0, yMemory, start, end));
        double memorySeconds = Best(options.Reps, cpuTime: false, () => pool.Run(job));

        return new KernelBenchRow
        {
            Type = type.ToString(),
            Layout = interleaved ? "interleaved" : "rows",
            BitsPerWeight = rowBytes * 8.0 / cols,
            CachedGWeightsPerS = cachedWeights / cachedSeconds / 1e9,
            CachedGbPerS = cachedRows * rowBytes / cachedSeconds / 1e9,
            MemoryGbPerS = memoryRows * rowBytes / memorySeconds / 1e9,
            BatchGWeightTokensPerS = batchRate,
        };
    }

    /// <summary>
    /// Seconds of one call of <paramref name="work"/>: the best of <paramref name="reps"/> timed rounds, each long enough
    /// to time, on the wall clock or (<paramref name="cpuTime"/>) the calling thread's CPU clock.
    /// </summary>
    private static double Best(int reps, bool cpuTime, Action work)
    {
        // Warm-up: page faults of fresh memory, and the JIT's tiers. A kernel starts unoptimized and is recompiled in
        // the background once it has run a while (later still on a busy machine), so warm up in rounds until a round
        // is no longer faster than the best before it.
        double bestRound = double.MaxValue;
        for (int round = 0; round < MaxWarmUpRounds; round++)
        {
            long started = Stopwatch.GetTimestamp();
            int warmCalls = 0;
            while (warmCalls < 40 || Stopwatch.GetElapsedTime(started).TotalSeconds < WarmUpRoundSeconds)
            {
                work();
                warmCalls++;
            }
            double perCall = Stopwatch.GetElapsedTime(started).TotalSeconds / warmCalls;
            bool improved = perCall < bestRound * 0.97;
            bestRound = Math.Min(bestRound, perCall);
            if (!improved && round >= 2) break;
            Thread.Sleep(50);
        }
        long calibrate = Stopwatch.GetTimestamp();
        work();
        double once = Math.Max(Stopwatch.GetElapsedTime(calibrate).TotalSeconds, 1e-7);
        int calls = (int)Math.Clamp(MinSecondsPerRep / once, 1, 1_000_000);
        double best = double.MaxValue;
        for (int rep = 0; rep < reps; rep++)
        {
            long started = Stopwatch.GetTimestamp();
            double cpuStarted = cpuTime ? ThreadCpuClock.Seconds() : 0;
            for (int i = 0; i < calls; i++) work();
            double seconds = cpuTime ? ThreadCpuClock.Seconds() - cpuStarted : Stopwatch.GetElapsedTime(started).TotalSeconds;
            best = Math.Min(best, seconds / calls);
        }
        return best;
    }

    private static int RoundToTile(long rows) => (int)Math.Max(TileRows, rows / TileRows * TileRows);

    private static byte[] QuantizedTile(GgmlType type, int cols)
    {
        var values = Gaussian(TileRows * cols, seed: 1);
        var tile = new byte[GgmlTypeInfo.RowBytes(type, (long)TileRows * cols)];
        TensorQuantizer.Row(type, values, tile);
        return tile;
    }

    private static byte[] Repeat(byte[] tile, long bytes)
    {
        var matrix = GC.AllocateUninitializedArray<byte>(checked((int)bytes));
        for (long at = 0; at < bytes; at += tile.Length)
            tile.AsSpan(0, (int)Math.Min(tile.Length, bytes - at)).CopyTo(matrix.AsSpan((int)at));
        return matrix;
    }

    private static float[] Gaussian(int count, ulong seed)
    {
        var values = new float[count];
        new SyntheticRandom(seed).FillNormal(values, 0f, 1f);
        return values;
    }

    /// <summary>
    /// One matrix·vector split by rows across the pool's workers (at multiples of <paramref name="multiple"/>), as a
    /// decode step splits each projection.
    /// </summary>
    private sealed class RowsJob(int rows, int multiple, Action<int, int> multiply) : IParallelWork
    {
        public void Execute(int worker, int workerCount)
        {
            var (start, end) = WorkerPool.Share(rows, worker, workerCount, multiple);
            if (start < end) multiply(start, end);
        }
    }
}
