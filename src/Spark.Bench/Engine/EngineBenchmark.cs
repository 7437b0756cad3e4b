using System.Diagnostics;
using Spark.Bench.Memory;
using Spark.Bench.Reports;
using Spark.Bench.Statistics;
using Spark.Engine.Gguf;
using Spark.Engine.Inference;

namespace Spark.Bench.Engine;

/// <summary>
/// llama-bench for Spark: times prompt processing (one <see cref="InferenceSession.Prefill"/> of p tokens) and
/// generation (n <see cref="InferenceSession.Decode"/> steps), each starting from a cache holding d tokens (empty by
/// default), over several repetitions after a warm-up, and sets generation against the memory-bandwidth roofline
/// measured in the same process.
/// </summary>
public static class EngineBenchmark
{
    /// <summary>Fixed so every run feeds the same tokens.</summary>
    private const int TokenSeed = 42;

    /// <summary>
    /// Runs the benchmark. <paramref name="log"/> hears progress (one line per phase). Throws what
    /// <see cref="SparkModel.Load"/> and <see cref="GgufFile.Open"/> throw for a bad file, and
    /// <see cref="ArgumentException"/> for options out of range.
    /// </summary>
    public static EngineBenchResult Run(EngineBenchOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ModelFacts facts;
        using (var file = GgufFile.Open(options.ModelPath)) facts = ModelFacts.Of(file);
        int threads = options.Threads ?? Environment.ProcessorCount;

        // Bandwidth first, so its arrays are freed before the model's pages compete with them.
        log?.Invoke($"measuring memory bandwidth ({Units.Threads(threads)}, 3 × {options.BandwidthArrayBytes >> 20} MiB)");
        var bandwidth = MemoryBandwidth.Measure(threads, options.BandwidthArrayBytes, options.BandwidthReps);

        int p = options.PromptTokens, n = options.GeneratedTokens, depth = options.Depth;
        using var model = SparkModel.Load(options.ModelPath,
            new ModelLoadOptions { Threads = threads, ContextLength = depth + Math.Max(p, n), Kernels = options.Kernels });
        int[] tokens = Tokens(depth + Math.Max(p, n), model.VocabSize);
        var session = model.CreateSession();
        if (depth > 0)
        {
            log?.Invoke($"filling the KV cache with {depth} tokens of context (untimed)");
            session.Prefill(tokens.AsSpan(0, depth));
        }
        var test = tokens.AsSpan(depth);

        log?.Invoke("warming up");
        if (p > 0) TimePrefill(session, depth, test[..Math.Min(p, 64)]);
        if (n > 0) TimeDecode(session, depth, test[..Math.Min(n, 16)]);

        SampleSummary? pp = null, tg = null;
        if (p > 0)
        {
            var rates = new List<double>(options.Reps);
            for (int rep = 0; rep < options.Reps; rep++)
            {
                rates.Add(p / TimePrefill(session, depth, test[..p]));
                log?.Invoke($"pp{p} repetition {rep + 1}/{options.Reps}: {rates[^1]:F2} tok/s");
            }
            pp = SampleSummary.Of(rates);
        }
        if (n > 0)
        {
            var rates = new List<double>(options.Reps);
            for (int rep = 0; rep < options.Reps; rep++)
            {
                rates.Add(n / TimeDecode(session, depth, test[..n]));
                log?.Invoke($"tg{n} repetition {rep + 1}/{options.Reps}: {rates[^1]:F2} tok/s");
            }
            tg = SampleSummary.Of(rates);
        }

        return new EngineBenchResult
        {
            Model = facts,
            Threads = model.Threads,
            Kernels = model.Kernels,
            PromptTokens = p,
            GeneratedTokens = n,
            Depth = depth,
            Reps = options.Reps,
            Pp = pp,
            Tg = tg,
            MembwGbPerS = bandwidth.TriadGbPerS,
            MembwReadGbPerS = bandwidth.ReadGbPerS,
            Machine = MachineInfo.Current(),
            Date = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>Seconds one prefill of <paramref name="tokens"/> takes after the first <paramref name="depth"/> cached tokens.</summary>
    private static double TimePrefill(InferenceSession session, int depth, ReadOnlySpan<int> tokens)
    {
        session.TruncateTo(depth);
        long started = Stopwatch.GetTimestamp();
        session.Prefill(tokens);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Seconds it takes to decode <paramref name="tokens"/> one step each after the first <paramref name="depth"/> cached
    /// tokens (no sampling, as llama-bench).
    /// </summary>
    private static double TimeDecode(InferenceSession session, int depth, ReadOnlySpan<int> tokens)
    {
        session.TruncateTo(depth);
        long started = Stopwatch.GetTimestamp();
        foreach (int token in tokens) session.Decode(token);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Deterministic pseudo-random token ids: llama-bench feeds random tokens too, so no tokenizer is needed.</summary>
    private static int[] Tokens(int count, int vocabSize)
    {
        var random = new Random(TokenSeed);
        var tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = random.Next(vocabSize);
        return tokens;
    }
}
