using Spark.Engine.Kernels;
using Spark.Engine.Tensors;

namespace Spark.Bench.Kernels;

/// <summary>What <see cref="KernelBenchmark.Run"/> measures: which weight types, the row length, the kernel path.</summary>
public sealed record KernelBenchOptions
{
    /// <summary>The types measured by default: every quantized type a GGUF model's matrices use.</summary>
    public static readonly IReadOnlyList<GgmlType> DefaultTypes =
        [GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.F16];

    /// <summary>The default types whose blocks fit rows of <paramref name="columns"/> (the k-quants need multiples of 256).</summary>
    public static IReadOnlyList<GgmlType> DefaultTypesFor(int columns) =>
        DefaultTypes.Where(t => columns > 0 && columns % GgmlTypeInfo.BlockSize(t) == 0).ToList();

    /// <summary>The largest from-memory matrix: it is one byte array.</summary>
    public const long MaxMemoryBytes = 2047L << 20;

    /// <summary>Weight types to measure, in this order.</summary>
    public IReadOnlyList<GgmlType> Types { get; init; } = DefaultTypes;

    /// <summary>Elements per row (the matrix's input length): whole blocks of every type measured (256 for the k-quants).</summary>
    public int Columns { get; init; } = 1024;

    /// <summary>Kernel path (auto: the fastest this CPU runs).</summary>
    public KernelPath Kernels { get; init; } = KernelPath.Auto;

    /// <summary>Bytes of the matrix that stays in the CPU's L2 cache (the kernels' arithmetic speed).</summary>
    public long CachedBytes { get; init; } = 192 << 10;

    /// <summary>Bytes of the matrix read from main memory (far larger than the caches).</summary>
    public long MemoryBytes { get; init; } = 256L << 20;

    /// <summary>Tokens of the batch test (prefill's matrix × matrix); 0 skips it.</summary>
    public int BatchTokens { get; init; } = 64;

    /// <summary>Worker threads of the from-memory test (the others run on one thread).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Time the single-thread tests on the thread's CPU clock instead of the wall clock (for A/B runs on a busy machine).</summary>
    public bool CpuTime { get; init; }

    /// <summary>Timed repetitions of each test; the best counts (as STREAM does: noise only ever slows a run).</summary>
    public int Reps { get; init; } = 5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Types.Count == 0) throw new ArgumentException("--types needs at least one type");
        foreach (var type in Types)
            if (!GgmlTypeInfo.IsSupported(type) || type is GgmlType.Q8_K)
                throw new ArgumentException($"--types: {type} is not a weight type Spark multiplies; choose from {KernelBenchTypes.Names}");
        if (Columns < 32 || Columns % 32 != 0 || Columns > 65536)
            throw new ArgumentException($"--cols must be a multiple of 32 between 32 and 65536, got {Columns}");
        foreach (var type in Types)
            if (Columns % GgmlTypeInfo.BlockSize(type) != 0)
                throw new ArgumentException($"--cols {Columns} is not whole {type} blocks of {GgmlTypeInfo.BlockSize(type)}; use a multiple of {GgmlTypeInfo.BlockSize(type)} or leave {type} out of --types");
        if (CachedBytes < 4096 || CachedBytes > 64L << 20)
            throw new ArgumentException($"the cached matrix must be between 4 KiB and 64 MiB, got {CachedBytes} bytes");
        if (MemoryBytes < 1L << 20 || MemoryBytes > MaxMemoryBytes)
            throw new ArgumentException($"--size-mb must be between 1 and {MaxMemoryBytes >> 20} (one array holds the matrix), got {MemoryBytes >> 20}");
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (MemoryBytes > available / 2)
            throw new ArgumentException($"--size-mb {MemoryBytes >> 20} is more than half of this machine's {available >> 20} MiB; choose a smaller size");
        if (BatchTokens < 0 || BatchTokens > 512) throw new ArgumentException($"--batch must be between 0 and 512, got {BatchTokens}");
        if (Threads < 1 || Threads > 256) throw new ArgumentException($"--threads must be between 1 and 256, got {Threads}");
        if (CpuTime && !ThreadCpuClock.IsSupported) throw new ArgumentException("--cpu-time needs Linux's per-thread CPU clock; drop it to time on the wall clock");
        if (Reps < 1) throw new ArgumentException($"--reps must be at least 1, got {Reps}");
    }
}
