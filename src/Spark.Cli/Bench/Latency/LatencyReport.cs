using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Spark.Cli.Bench.Latency;

/// <summary>The run's results as report.json, report.md and the terminal table.</summary>
internal sealed class LatencyReport
{
    private readonly LatencyBenchOptions _options;
    private readonly IReadOnlyList<LevelResult> _levels;
    private readonly IReadOnlyList<TransportResult> _results; // the first level's: what `transports` and the percentile charts show
    private readonly DateTimeOffset _finishedAt;

    public LatencyReport(LatencyBenchOptions options, IReadOnlyList<LevelResult> levels, DateTimeOffset finishedAt)
    {
        if (levels.Count == 0) throw new ArgumentException("a report needs at least one concurrency level", nameof(levels));
        _options = options;
        _levels = levels;
        _results = levels[0].Transports;
        _finishedAt = finishedAt;
    }

    /// <summary>Writes report.json, report.md and the SVG charts into <paramref name="directory"/> (created if missing); returns their paths.</summary>
    public (string Json, string Markdown) WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        string json = Path.Combine(directory, "report.json");
        string md = Path.Combine(directory, "report.md");
        File.WriteAllBytes(json, Json());
        File.WriteAllText(md, Markdown(), new UTF8Encoding(false));
        var utf8 = new UTF8Encoding(false);
        File.WriteAllText(Path.Combine(directory, "turn-overhead.svg"), LatencyCharts.Percentiles(_results, "Per-turn overhead (ms): wall time minus server time", r => r.TurnOverhead), utf8);
        File.WriteAllText(Path.Combine(directory, "ttft.svg"), LatencyCharts.Percentiles(_results, "Time to first token (ms)", r => r.Ttft), utf8);
        File.WriteAllText(Path.Combine(directory, "ttft-by-turn.svg"), LatencyCharts.TtftByTurn(_results, _options.Turns), utf8);
        File.WriteAllText(Path.Combine(directory, "throughput-by-concurrency.svg"), LatencyCharts.ThroughputByConcurrency(_levels), utf8);
        return (json, md);
    }

    public byte[] Json()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("url", _options.BaseUrl.ToString());
            json.WriteString("model", _options.Model);
            json.WriteString("finished_at", _finishedAt.ToString("o", CultureInfo.InvariantCulture));
            json.WriteString("machine", Machine());
            json.WriteNumber("prompt_tokens", _options.PromptTokens);
            json.WriteNumber("max_output_tokens", _options.OutputTokens);
            json.WriteString("turn_style", _options.ToolCalls ? "agent" : "chat");
            WritePerTokenOverhead(json);
            WriteTransports(json, _results);
            json.WriteStartArray("by_concurrency");
            foreach (var level in _levels)
            {
                json.WriteStartObject();
                json.WriteNumber("concurrency", level.Concurrency);
                json.WriteStartObject("throughput");
                foreach (var r in level.Transports)
                {
                    json.WriteStartObject(BenchTransportNames.Name(r.Transport));
                    json.WriteNumber("output_tokens_per_s", Round(r.OutputTokensPerSecond));
                    json.WriteNumber("turns_per_s", Round(r.TurnsPerSecond));
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                WriteTransports(json, level.Transports);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>
    /// <c>server_per_token_overhead</c>: per transport of the first level, the client's and the engine's time per token
    /// over the same decode steps, and the difference in percent (null fields where a side could not be measured).
    /// </summary>
    private void WritePerTokenOverhead(Utf8JsonWriter json)
    {
        json.WriteStartObject("server_per_token_overhead");
        json.WriteString("method", PerTokenOverhead.Method);
        json.WriteStartObject("transports");
        foreach (var r in _results)
        {
            json.WritePropertyName(BenchTransportNames.Name(r.Transport));
            if (r.PerToken is not { } o)
            {
                json.WriteNullValue(); // no request's tokens could be matched to its deltas
                continue;
            }
            json.WriteStartObject();
            json.WriteNumber("served_ms_per_token", Round(o.ServedMsPerToken));
            json.WritePropertyName("engine_ms_per_token"); WriteNumberOrNull(json, o.EngineMsPerToken);
            json.WritePropertyName("percent"); WriteNumberOrNull(json, o.Percent);
            json.WriteString("engine_baseline", o.Baseline);
            json.WritePropertyName("percent_vs_engine_alone"); WriteNumberOrNull(json, o.PercentVsEngineAlone);
            json.WritePropertyName("percent_vs_forward_pass"); WriteNumberOrNull(json, o.PercentVsForwardPass);
            json.WritePropertyName("engine_alone_ms_per_token"); WriteNumberOrNull(json, o.EngineAlone?.MsPerToken ?? double.NaN);
            json.WritePropertyName("engine_alone_forward_ms_per_token"); WriteNumberOrNull(json, o.EngineAlone?.ForwardMsPerToken ?? double.NaN);
            json.WritePropertyName("engine_while_serving_ms_per_token"); WriteNumberOrNull(json, o.WhileServingMsPerToken ?? double.NaN);
            json.WritePropertyName("engine_while_serving_forward_ms_per_token"); WriteNumberOrNull(json, o.WhileServingForwardMsPerToken ?? double.NaN);
            json.WriteNumber("requests", o.Requests);
            json.WriteNumber("tokens", o.Steps);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The <c>transports</c> object the issue defines (plus details), for one concurrency level.</summary>
    private void WriteTransports(Utf8JsonWriter json, IReadOnlyList<TransportResult> results)
    {
        json.WriteStartObject("transports");
        foreach (var r in results)
        {
            json.WriteStartObject(BenchTransportNames.Name(r.Transport));
            Write(json, "ttft_ms", r.Ttft);
            if (_options.ToolCalls) Write(json, "continuation_ttft_ms", r.ContinuationTtft);
            Write(json, "itl_ms", r.InterToken);
            Write(json, "turn_overhead_ms", r.TurnOverhead);
            json.WriteString("turn_overhead_source", r.OverheadFromServer ? "server_timing" : "ttft_approximation");
            json.WriteNumber("output_tokens_per_s", Round(r.OutputTokensPerSecond));
            json.WriteNumber("turns_per_s", Round(r.TurnsPerSecond));
            json.WriteNumber("output_tokens", r.OutputTokens);
            json.WriteNumber("input_tokens", r.PromptTokens.Input);
            json.WriteNumber("cached_input_tokens", r.PromptTokens.Cached);
            json.WriteNumber("e2e_ms", Round(r.EndToEndMs));
            json.WriteNumber("wall_ms", Round(r.WallMs));
            json.WriteNumber("turns", _options.Turns);
            json.WriteNumber("concurrency", r.Concurrency);
            json.WriteNumber("max_in_flight", r.MaxInFlight);
            json.WriteStartArray("ttft_by_turn_ms");
            foreach (double v in r.TtftByTurn(_options.Turns)) WriteNumberOrNull(json, v);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter json, string name, Percentiles p)
    {
        json.WriteStartObject(name);
        json.WritePropertyName("p50"); WriteNumberOrNull(json, p.P50);
        json.WritePropertyName("p95"); WriteNumberOrNull(json, p.P95);
        json.WritePropertyName("p99"); WriteNumberOrNull(json, p.P99);
        json.WriteNumber("count", p.Count);
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, double value)
    {
        if (double.IsNaN(value)) json.WriteNullValue();
        else json.WriteNumberValue(Round(value));
    }

    private static double Round(double value) => Math.Round(value, 3);

    /// <summary>
    /// The table, as Markdown (report.md) — the terminal prints the same table: one row per transport and
    /// concurrency level (the level's column only when there are several).
    /// </summary>
    public string Table()
    {
        var text = new StringBuilder();
        bool levels = _levels.Count > 1;
        text.Append("| transport |").Append(levels ? " conversations at once |" : "")
            .AppendLine(" TTFT p50 / p95 / p99 ms | ITL p50 / p95 / p99 ms | turn overhead p50 / p95 / p99 ms | output tok/s | turns/s | conversation e2e ms |");
        text.Append("|---|").Append(levels ? "---|" : "").AppendLine("---|---|---|---|---|---|");
        foreach (var level in _levels)
            foreach (var r in level.Transports)
            {
                text.Append("| ").Append(BenchTransportNames.Name(r.Transport));
                if (levels) text.Append(" | ").Append(r.Concurrency);
                text.Append(" | ").Append(Triple(r.Ttft))
                    .Append(" | ").Append(Triple(r.InterToken))
                    .Append(" | ").Append(Triple(r.TurnOverhead)).Append(r.OverheadFromServer ? "" : " (approx.)")
                    .Append(" | ").Append(F(r.OutputTokensPerSecond, 1))
                    .Append(" | ").Append(F(r.TurnsPerSecond, 2))
                    .Append(" | ").Append(F(r.EndToEndMs, 0)).AppendLine(" |");
            }
        AppendPerTokenOverhead(text);
        return text.ToString();
    }

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# spark bench latency");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- server: {_options.BaseUrl} model `{_options.Model}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- {_options.Turns} turns per conversation, {string.Join(", ", _options.Concurrency)} at once; first turn ~{_options.PromptTokens} prompt tokens; max_output_tokens {_options.OutputTokens}");
        text.AppendLine(_options.ToolCalls
            ? "- agent-like turns: the message is answered by a forced tool call (`tool_choice: required`), its output goes back as `function_call_output` with `previous_response_id` and is answered by text; TTFT is the call's, the continuation's is listed below; a turn's overhead and tokens cover both requests"
            : "- plain turns: one user message per turn, chained by `previous_response_id`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Machine()}; finished {_finishedAt:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.Append(Table());
        text.AppendLine();
        text.AppendLine("Turn overhead = the turn's wall time (request sent → final event) minus the server's own time (`usage.spark_timing`: queue + compute).");
        if (_results.Any(r => !r.OverheadFromServer))
            text.AppendLine("The server did not report its timing, so overhead marked (approx.) is TTFT minus one median inter-token gap; it still contains prefill.");
        text.AppendLine();
        foreach (var r in _results)
            text.AppendLine(CultureInfo.InvariantCulture, $"- {BenchTransportNames.Name(r.Transport)}: {r.PromptTokens.Cached:N0} of {r.PromptTokens.Input:N0} prompt tokens came from the server's KV cache");
        text.AppendLine();
        if (_options.ToolCalls)
        {
            foreach (var r in _results)
                text.AppendLine(CultureInfo.InvariantCulture, $"- {BenchTransportNames.Name(r.Transport)}: TTFT after the tool output (continuation) p50 / p95 / p99 {Triple(r.ContinuationTtft)} ms");
            text.AppendLine();
        }
        if (_levels.Count > 1)
            text.AppendLine(CultureInfo.InvariantCulture, $"Percentiles, KV reuse and the percentile charts are of the first level ({_levels[0].Concurrency} at once); every level is in the tables and in report.json's `by_concurrency`.").AppendLine();
        text.AppendLine("![per-turn overhead](turn-overhead.svg) ![TTFT](ttft.svg) ![TTFT by turn](ttft-by-turn.svg) ![throughput vs concurrency](throughput-by-concurrency.svg)");
        text.AppendLine();
        AppendThroughput(text);
        text.AppendLine("## TTFT per turn (ms, mean over conversations)");
        text.AppendLine();
        text.Append("| turn |");
        foreach (var r in _results) text.Append(' ').Append(BenchTransportNames.Name(r.Transport)).Append(" |");
        text.AppendLine();
        text.Append("|---|").AppendLine(string.Concat(Enumerable.Repeat("---|", _results.Count)));
        var byTurn = _results.Select(r => r.TtftByTurn(_options.Turns)).ToArray();
        for (int t = 0; t < _options.Turns; t++)
        {
            text.Append("| ").Append(t + 1).Append(" |");
            foreach (var series in byTurn) text.Append(' ').Append(F(series[t], 1)).Append(" |");
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The per-token overhead table (first level), under the main table: terminal and report.md alike.</summary>
    private void AppendPerTokenOverhead(StringBuilder text)
    {
        if (_results.All(r => r.PerToken is null)) return;
        text.AppendLine();
        text.Append("Server per-token overhead");
        if (_levels.Count > 1) text.Append(CultureInfo.InvariantCulture, $" ({_levels[0].Concurrency} at once)");
        text.AppendLine(": the client's time per token vs the engine thread's own time over the same decode steps while it served them (text answers whose every token came as its own delta); engine alone = those steps replayed on the same model right after the transport, server idle — a second, noisier baseline (the machine moves between the two):");
        text.AppendLine();
        text.AppendLine("| transport | requests / tokens | served ms/token | engine while serving ms/token (forward pass) | overhead | engine alone ms/token (forward pass) | overhead vs engine alone |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in _results)
        {
            text.Append("| ").Append(BenchTransportNames.Name(r.Transport)).Append(" | ");
            if (r.PerToken is not { } o)
            {
                text.AppendLine("0 / 0 | - | - | - | - | - |");
                continue;
            }
            text.Append(o.Requests).Append(" / ").Append(o.Steps)
                .Append(" | ").Append(F(o.ServedMsPerToken, 3))
                .Append(" | ").Append(o.WhileServingMsPerToken is { } w ? $"{F(w, 3)} ({F(o.WhileServingForwardMsPerToken ?? double.NaN, 3)})" : "-")
                .Append(" | ").Append(Signed(o.Percent, 2))
                .Append(o.Baseline == "engine_alone_replay" ? " (vs engine alone)" : "")
                .Append(" | ").Append(o.EngineAlone is { } alone ? $"{F(alone.MsPerToken, 3)} ({F(alone.ForwardMsPerToken, 3)})" : "-")
                .Append(" | ").Append(Signed(o.PercentVsEngineAlone, 1))
                .AppendLine(" |");
        }
    }

    /// <summary>Throughput by concurrency level: output tokens/s and turns/s per transport, and how many requests really overlapped.</summary>
    private void AppendThroughput(StringBuilder text)
    {
        text.AppendLine("## Throughput by concurrency (all conversations together)");
        text.AppendLine();
        text.Append("| conversations at once |");
        foreach (var r in _results) text.Append(' ').Append(BenchTransportNames.Name(r.Transport)).Append(" output tok/s | turns/s | most requests in flight |");
        text.AppendLine();
        text.Append("|---|").AppendLine(string.Concat(Enumerable.Repeat("---|---|---|", _results.Count)));
        foreach (var level in _levels)
        {
            text.Append("| ").Append(level.Concurrency).Append(" |");
            foreach (var r in level.Transports)
                text.Append(' ').Append(F(r.OutputTokensPerSecond, 1)).Append(" | ").Append(F(r.TurnsPerSecond, 2)).Append(" | ").Append(r.MaxInFlight).Append(" |");
            text.AppendLine();
        }
        text.AppendLine();
    }

    private static string Signed(double percent, int decimals) => double.IsNaN(percent) ? "-" : (percent >= 0 ? "+" : "") + F(percent, decimals) + "%";

    private static string Triple(Percentiles p) => $"{F(p.P50, 1)} / {F(p.P95, 1)} / {F(p.P99, 1)}";

    private static string F(double value, int decimals) => double.IsNaN(value) ? "-" : value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static string Machine() => $"{Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}
