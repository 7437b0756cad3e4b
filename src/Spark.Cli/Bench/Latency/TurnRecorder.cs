using System.Diagnostics;
using System.Text.Json;
using Spark.Protocol.Responses;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// Times one turn from the stream events it receives, whatever the transport: the first output delta (text or a
/// tool call's arguments), the gaps between deltas and the final event, which carries the response id, usage and (on Spark) server timing.
/// </summary>
internal sealed class TurnRecorder
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly List<double> _gaps = new(256);
    private readonly int _turn;
    private long _firstDeltaAt;
    private long _lastDeltaAt;
    private int _deltas;
    private bool _firstDeltaBlank;

    public TurnRecorder(int turn) => _turn = turn;

    /// <summary>The finished measurement, once <see cref="Observe"/> has seen the final event.</summary>
    public TurnMeasurement? Result { get; private set; }

    /// <summary>Takes one event's JSON; returns true when it ended the response.</summary>
    /// <exception cref="BenchServerException">The server reported an error or failed the response.</exception>
    public bool Observe(string json)
    {
        long now = Stopwatch.GetTimestamp();
        if (json.Contains("\"error\"", StringComparison.Ordinal)) ThrowIfError(json);
        var parsed = ResponseStreamEventParser.Parse(json);
        // with tools offered, a server may hold leading whitespace back and send it with the next token's text, so a
        // blank first delta may not be the first token: such a request's steps cannot be matched to the engine's
        if (_deltas == 0 && parsed is OutputTextDeltaEvent first) _firstDeltaBlank = string.IsNullOrWhiteSpace(first.Delta);
        switch (parsed)
        {
            case OutputTextDeltaEvent:
            case OtherStreamEvent { Type: ResponseEventTypes.FunctionCallArgumentsDelta }: // a tool call's tokens stream too
                if (_deltas == 0) _firstDeltaAt = now;
                else _gaps.Add(Ms(now - _lastDeltaAt));
                _lastDeltaAt = now;
                _deltas++;
                return false;
            case ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete } done:
                var usage = done.Response.Usage;
                var timing = usage?.SparkTiming;
                Result = new TurnMeasurement(
                    _turn,
                    _deltas == 0 ? double.NaN : Ms(_firstDeltaAt - _startedAt),
                    _gaps.ToArray(),
                    Ms(now - _startedAt),
                    timing is null ? null : timing.QueueMs + timing.ComputeMs,
                    usage?.OutputTokens ?? _deltas,
                    done.Response.Id,
                    usage?.InputTokens ?? 0,
                    usage?.InputTokensDetails?.CachedTokens ?? 0)
                {
                    Requests = [new RequestSpan(_startedAt, now)],
                    CallId = done.Response.Output.OfType<FunctionCallItem>().FirstOrDefault()?.CallId,
                    Steps = MatchedSteps(usage?.OutputTokens, usage?.InputTokens ?? 0, timing),
                };
                return true;
            case ResponseLifecycleEvent { Type: ResponseEventTypes.Failed } failed:
                throw new BenchServerException($"the server failed turn {_turn}: {failed.Response.Error?.Message ?? failed.Response.Status}");
            case ResponseErrorEvent error:
                throw new BenchServerException($"the server answered turn {_turn} with an error: {error.Message}");
            default:
                return false;
        }
    }

    /// <summary>
    /// This request's decode steps, when its deltas map one to one onto its tokens: as many deltas as the server
    /// counted output tokens (no token held back or merged with another), at least two, a first delta that is not
    /// held-back whitespace, and — when the server reports its steps — the same number of steps on both sides.
    /// </summary>
    private StepTiming[] MatchedSteps(int? outputTokens, int inputTokens, SparkTiming? timing)
    {
        if (outputTokens is not int tokens || tokens < 2 || _deltas != tokens || _firstDeltaBlank) return [];
        if (timing?.DecodeSteps is int steps && steps != tokens - 1) return [];
        return [new StepTiming(tokens - 1, Ms(_lastDeltaAt - _firstDeltaAt), inputTokens, timing?.DecodeForwardMs, timing?.DecodeSpanMs)];
    }

    // a WebSocket refusal is {"type":"error","status":…,"error":{"message":…}}, unlike the SSE error event
    private void ThrowIfError(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "error") return;
        string message = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString()
            : root.TryGetProperty("message", out var top) ? top.ToString() : json;
        throw new BenchServerException($"the server answered turn {_turn} with an error: {message}");
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>The benchmarked server refused or failed a request; the message says what it answered.</summary>
internal sealed class BenchServerException(string message, Exception? inner = null) : Exception(message, inner);
