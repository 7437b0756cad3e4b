using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spark.Bench.Engine;
using Spark.Bench.Kernels;
using Spark.Bench.Memory;

namespace Spark.Bench.Reports;

/// <summary>Benchmark results as one line of snake_case JSON (the last line `spark bench … --json` prints).</summary>
public static class BenchJson
{
    /// <summary>Relaxed escaping: the line is read by people and scripts, not embedded in HTML, so "Q8_0+Q4_K" stays as written.</summary>
    private static readonly BenchJsonContext Context = new(new JsonSerializerOptions(BenchJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The engine benchmark as one JSON object on one line.</summary>
    public static string Serialize(EngineBenchResult result) => JsonSerializer.Serialize(result, Context.EngineBenchResult);

    /// <summary>The bandwidth measurement as one JSON object on one line.</summary>
    public static string Serialize(MemoryBandwidthResult result) => JsonSerializer.Serialize(result, Context.MemoryBandwidthResult);

    /// <summary>The kernel measurement as one JSON object on one line.</summary>
    public static string Serialize(KernelBenchResult result) => JsonSerializer.Serialize(result, Context.KernelBenchResult);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(EngineBenchResult))]
[JsonSerializable(typeof(MemoryBandwidthResult))]
[JsonSerializable(typeof(KernelBenchResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
