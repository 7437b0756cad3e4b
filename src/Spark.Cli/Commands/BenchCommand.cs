using System.CommandLine;
using Spark.Bench.Engine;
using Spark.Bench.Kernels;
using Spark.Bench.Memory;
using Spark.Bench.Reports;
using Spark.Engine.Models.Synthetic;

namespace Spark.Cli.Commands;

/// <summary>
/// `spark bench`: the macro benchmarks. Each is a subcommand (engine, membw; later latency and agent) that prints a
/// table for people and, with --json, one JSON object on the last line for scripts.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks: engine speed against the memory-bandwidth roofline, the bandwidth itself, client-server latency per transport, and the coding agent on a task suite.");
        bench.Subcommands.Add(CreateEngine());
        bench.Subcommands.Add(CreateMemoryBandwidth());
        bench.Subcommands.Add(CreateKernels());
        bench.Subcommands.Add(BenchLatencyCommand.Create());
        bench.Subcommands.Add(BenchAgentCommand.Create());
        return bench;
    }

    private static Command CreateEngine()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A GGUF model (default: Spark's built-in synthetic model, created on first use)." };
        var threads = new Option<int?>("--threads", "-t") { Description = "Worker threads (default: all cores)." };
        var kernels = KernelsOption.Create();
        var prompt = new Option<int>("-p", "--n-prompt") { Description = "Prompt tokens of the prompt-processing test (0 skips it).", DefaultValueFactory = _ => 512 };
        var generate = new Option<int>("-n", "--n-gen") { Description = "Decode steps of the generation test (0 skips it).", DefaultValueFactory = _ => 128 };
        var depth = new Option<int>("-d", "--n-depth") { Description = "Tokens of context already in the KV cache when each test starts (prefilled once, untimed).", DefaultValueFactory = _ => 0 };
        var reps = new Option<int>("--reps", "-r") { Description = "Timed repetitions of each test (after one warm-up).", DefaultValueFactory = _ => 3 };
        var membwSize = new Option<int>("--membw-size-mb") { Description = "MiB of each array of the bandwidth measurement that sets the roofline.", DefaultValueFactory = _ => 256 };
        var json = new Option<bool>("--json") { Description = "After the table, print the results as one JSON object on the last line." };
        var command = new Command("engine",
            "Prompt processing (pp) and generation (tg) tokens/s like llama-bench, the weight bytes a decode step reads, "
            + "this machine's memory bandwidth and how close generation comes to the bandwidth roofline.")
        {
            model, threads, kernels, prompt, generate, depth, reps, membwSize, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var options = new EngineBenchOptions
            {
                ModelPath = "",
                Threads = parse.GetValue(threads),
                Kernels = parse.GetValue(kernels),
                PromptTokens = parse.GetValue(prompt),
                GeneratedTokens = parse.GetValue(generate),
                Depth = parse.GetValue(depth),
                Reps = parse.GetValue(reps),
                BandwidthArrayBytes = (long)parse.GetValue(membwSize) << 20,
            };
            options.Validate(); // before creating the default model, so a bad option costs nothing
            string? path = parse.GetValue(model);
            if (path is null)
            {
                path = DefaultModel.EnsureCreated(Console.Error.WriteLine);
                Console.Error.WriteLine($"note: benchmarking Spark's built-in tiny synthetic model ({path}); pass --model FILE.gguf for a real one.");
            }
            var result = EngineBenchmark.Run(options with { ModelPath = path }, Console.Error.WriteLine);
            Console.Write(EngineReport.Format(result));
            if (parse.GetValue(json)) Console.WriteLine(BenchJson.Serialize(result));
            return CliErrors.Ok;
        }));
        return command;
    }

    private static Command CreateKernels()
    {
        var types = new Option<string?>("--types") { Description = $"Comma-separated weight types (default: every quantized type and f16); any of {KernelBenchTypes.Names}." };
        var cols = new Option<int>("--cols") { Description = "Elements per matrix row: whole blocks of every type (a multiple of 256 with the k-quants, of 32 without).", DefaultValueFactory = _ => 1024 };
        var kernels = KernelsOption.Create();
        var size = new Option<int>("--size-mb") { Description = "MiB of the matrix read from main memory (far larger than the caches).", DefaultValueFactory = _ => 256 };
        var cpuTime = new Option<bool>("--cpu-time") { Description = "Time the single-thread tests on the thread's CPU clock (Linux): steadier A/B comparisons on a busy machine." };
        var kernelThreads = new Option<int>("--threads", "-t") { Description = "Worker threads of the from-memory test (the cached and batch tests run on one).", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Tokens of the matrix × matrix (prefill) test; 0 skips it.", DefaultValueFactory = _ => 64 };
        var reps = new Option<int>("--reps", "-r") { Description = "Timed repetitions; the best counts.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "After the table, print the results as one JSON object on the last line." };
        var command = new Command("kernels",
            "Single-thread speed of the matrix kernels per weight type: matrix × vector from cache and from memory, and matrix × matrix over a batch.")
        {
            types, cols, kernels, size, kernelThreads, batch, cpuTime, reps, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string? typeList = parse.GetValue(types);
            int columns = parse.GetValue(cols);
            var chosen = typeList is null ? KernelBenchOptions.DefaultTypesFor(columns) : KernelBenchTypes.Parse(typeList);
            if (typeList is null && columns > 0 && columns % 32 == 0 && chosen.Count < KernelBenchOptions.DefaultTypes.Count)
                Console.Error.WriteLine($"note: rows of {columns} are not whole 256-element super-blocks: the k-quants are left out (use a multiple of 256 to include them)");
            var options = new KernelBenchOptions
            {
                Types = chosen,
                Columns = columns,
                Kernels = parse.GetValue(kernels),
                MemoryBytes = (long)parse.GetValue(size) << 20,
                BatchTokens = parse.GetValue(batch),
                Threads = parse.GetValue(kernelThreads),
                CpuTime = parse.GetValue(cpuTime),
                Reps = parse.GetValue(reps),
            };
            var result = KernelBenchmark.Run(options, Console.Error.WriteLine);
            Console.Write(KernelReport.Format(result));
            if (parse.GetValue(json)) Console.WriteLine(BenchJson.Serialize(result));
            return CliErrors.Ok;
        }));
        return command;
    }

    private static Command CreateMemoryBandwidth()
    {
        var threads = new Option<int?>("--threads", "-t") { Description = "Worker threads (default: all cores)." };
        var size = new Option<int>("--size-mb") { Description = "MiB of each of the three arrays (far larger than the caches).", DefaultValueFactory = _ => 1024 };
        var reps = new Option<int>("--reps", "-r") { Description = "Timed repetitions; the best counts, as in STREAM.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "After the table, print the results as one JSON object on the last line." };
        var command = new Command("membw",
            "STREAM-style memory bandwidth (copy, triad, read-only sum) on the engine's worker threads, best of the repetitions.")
        {
            threads, size, reps, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            int workers = parse.GetValue(threads) ?? Environment.ProcessorCount;
            if (workers < 1) throw new ArgumentException($"--threads must be at least 1, got {workers}");
            int sizeMb = parse.GetValue(size);
            if (sizeMb < 1) throw new ArgumentException($"--size-mb must be at least 1, got {sizeMb}");
            int count = parse.GetValue(reps);
            if (count < 1) throw new ArgumentException($"--reps must be at least 1, got {count}");
            var result = MemoryBandwidth.Measure(workers, (long)sizeMb << 20, count);
            Console.Write(MemoryBandwidthReport.Format(result));
            if (parse.GetValue(json)) Console.WriteLine(BenchJson.Serialize(result));
            return CliErrors.Ok;
        }));
        return command;
    }
}
