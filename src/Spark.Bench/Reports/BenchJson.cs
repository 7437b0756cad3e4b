using System.Text.Json;
using System.Text.Json.Serialization;
using Spark.Bench.Engine;
using Spark.Bench.Memory;

namespace Spark.Bench.Reports;

/// <summary>Benchmark results as one line of snake_case JSON (the last line `spark bench … --json` prints).</summary>
public static class BenchJson
{
    /// <summary>The engine benchmark as one JSON object on one line.</summary>
    public static string Serialize(EngineBenchResult result) => JsonSerializer.Serialize(result, BenchJsonContext.Default.EngineBenchResult);

    /// <summary>The bandwidth measurement as one JSON object on one line.</summary>
    public static string Serialize(MemoryBandwidthResult result) => JsonSerializer.Serialize(result, BenchJsonContext.Default.MemoryBandwidthResult);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(EngineBenchResult))]
[JsonSerializable(typeof(MemoryBandwidthResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
