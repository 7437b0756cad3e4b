using System.Text;

namespace Spark.Server.Metrics;

/// <summary>
/// What a backend measures while it generates: time to first token (from queueing to the first token, so queue wait
/// and prefill count), the gap between tokens, and token counters. Recorded on the engine thread without allocating;
/// read by <c>GET /metrics</c>.
/// </summary>
public sealed class GenerationMetrics
{
    private long _requests;
    private long _promptTokens;
    private long _cachedTokens;
    private long _outputTokens;
    private int _kvSessions;

    /// <summary>Queue wait plus prefill plus the first decode, per generation.</summary>
    public LatencyHistogram TimeToFirstToken { get; } = new(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);

    /// <summary>The time between two tokens of a generation.</summary>
    public LatencyHistogram InterTokenLatency { get; } = new(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);

    /// <summary>Counts a finished generation.</summary>
    public void RecordFinished(int promptTokens, int cachedTokens, int outputTokens)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _cachedTokens, cachedTokens);
        Interlocked.Add(ref _outputTokens, outputTokens);
    }

    /// <summary>How many KV caches the backend keeps (set by the engine).</summary>
    public int KvSessions
    {
        get => Volatile.Read(ref _kvSessions);
        set => Volatile.Write(ref _kvSessions, value);
    }

    /// <summary>Appends every metric in the Prometheus text format.</summary>
    public void WriteTo(StringBuilder text)
    {
        TimeToFirstToken.WriteTo(text, "spark_time_to_first_token_seconds", "Time from queueing a generation to its first token (queue wait, prefill, first decode).");
        InterTokenLatency.WriteTo(text, "spark_inter_token_latency_seconds", "Time between two consecutive tokens of a generation.");
        PrometheusText.Counter(text, "spark_generations_total", "Generations finished (any outcome).", Interlocked.Read(ref _requests));
        PrometheusText.Counter(text, "spark_prompt_tokens_total", "Prompt tokens of finished generations, cached ones included.", Interlocked.Read(ref _promptTokens));
        PrometheusText.Counter(text, "spark_cached_prompt_tokens_total", "Prompt tokens served from a KV cache instead of prefilled.", Interlocked.Read(ref _cachedTokens));
        PrometheusText.Counter(text, "spark_generated_tokens_total", "Tokens generated.", Interlocked.Read(ref _outputTokens));
        PrometheusText.Gauge(text, "spark_kv_sessions", "KV caches held by the engine.", KvSessions);
    }
}
