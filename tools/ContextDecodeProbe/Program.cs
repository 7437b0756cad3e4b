// Measures what docs/performance.md reports under "Attention at long context" and "Batched prefill".
//   dotnet run -c Release --project tools/ContextDecodeProbe -- MODEL THREADS decode 1024,8192,32768 [f32]
//   dotnet run -c Release --project tools/ContextDecodeProbe -- MODEL THREADS prefill 512
// Decode: prefills 64 tokens, then marks the cache as filled up to each context length (through reflection; the
// positions hold random F16 values, so the memory is real) and times 5 × 16 decode steps, printing the best and
// median wall and process-CPU milliseconds per token. Attention cost depends only on the length, not on the values.
using System.Diagnostics;
using System.Reflection;
using Spark.Engine.Inference;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: ContextDecodeProbe MODEL THREADS decode CTX[,CTX...] [f32] | MODEL THREADS prefill N");
    return 2;
}
string path = args[0];
// SPARK_KERNELS=scalar|avx2|avx512 forces a kernel path (A/B of paths on one machine), as --kernels does for spark.
var kernels = Enum.Parse<Spark.Engine.Kernels.KernelPath>(Environment.GetEnvironmentVariable("SPARK_KERNELS") ?? "Auto", ignoreCase: true);
int threads = int.Parse(args[1]);
var rng = new Random(1);
if (args[2] == "prefill")
{
    int n = int.Parse(args[3]);
    using var model = SparkModel.Load(path, new ModelLoadOptions { Threads = threads, ContextLength = n + 8, Kernels = kernels });
    var session = model.CreateSession();
    int[] tokens = [.. Enumerable.Range(0, n).Select(_ => rng.Next(1000, 20000))];
    session.Prefill(tokens.AsSpan(0, 64)); // warm-up
    for (int rep = 0; rep < 2; rep++)
    {
        session.Reset();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        session.Prefill(tokens);
        clock.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"prefill {n} tokens, {threads} threads: {n / clock.Elapsed.TotalSeconds:F1} tok/s (wall {clock.Elapsed.TotalSeconds:F2} s, cpu {used.TotalSeconds:F2} s)");
    }
    return 0;
}

int[] contexts = [.. args[3].Split(',').Select(int.Parse)];
var type = args.Length > 4 && args[4] == "f32" ? KvCacheType.F32 : KvCacheType.F16;
using (var model = SparkModel.Load(path, new ModelLoadOptions { Threads = threads, ContextLength = contexts.Max() + 64, KvCacheType = type, Kernels = kernels }))
{
    var session = model.CreateSession();
    const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
    var state = typeof(InferenceSession).GetField("_state", Private)!.GetValue(session)!;
    var cache = state.GetType().GetProperty("Cache")!.GetValue(state)!;
    foreach (var name in new[] { "_halfKeys", "_halfValues", "_keys", "_values" })
    {
        switch (cache.GetType().GetField(name, Private)?.GetValue(cache))
        {
            case ushort[][] halves:
                foreach (var a in halves) for (int i = 0; i < a.Length; i++) a[i] = BitConverter.HalfToUInt16Bits((Half)(rng.NextSingle() * 4 - 2));
                break;
            case float[][] floats:
                foreach (var a in floats) for (int i = 0; i < a.Length; i++) a[i] = rng.NextSingle() * 4 - 2;
                break;
        }
    }
    var advance = cache.GetType().GetMethod("Advance")!;
    session.Prefill([.. Enumerable.Range(0, 64).Select(_ => rng.Next(1000, 20000))]);
    foreach (int context in contexts)
    {
        session.TruncateTo(64);
        advance.Invoke(cache, [context - 64]);
        for (int i = 0; i < 8; i++) session.Decode(1000 + i); // warm-up
        var wall = new List<double>();
        var cpu = new List<double>();
        for (int rep = 0; rep < 5; rep++)
        {
            session.TruncateTo(context);
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 16; i++) session.Decode(1000 + i);
            wall.Add(clock.Elapsed.TotalMilliseconds / 16);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / 16);
        }
        wall.Sort();
        cpu.Sort();
        Console.WriteLine($"decode at context {context}, {threads} threads, {type} cache: wall best {wall[0]:F2} / median {wall[2]:F2} ms/token, cpu best {cpu[0]:F2} / median {cpu[2]:F2} ms/token");
    }
}
return 0;
