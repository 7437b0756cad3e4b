using System.Text.Json;

namespace Spark.Server.Backends;

/// <summary>
/// A generation read from an upstream's event stream as it arrives: each event becomes zero or more steps (text,
/// tool-call start / arguments / done), forwarded at once. The first step must come within the first-token timeout
/// of the stream's start (events without a token, e.g. <c>response.in_progress</c> or a role-only chunk, do not
/// extend it), each later event within the idle timeout. A stream that breaks, times out or ends without its terminal event
/// finishes <see cref="FinishReason.Failed"/> with an error naming the model and replica — never a hang, and
/// nothing already forwarded is sent again. Cancelling the start token closes the upstream connection.
/// </summary>
internal abstract class UpstreamGeneration : IGeneration
{
    private readonly CancellationTokenRegistration _stop;
    private readonly CancellationToken _startToken;
    private readonly long _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    private bool _stepped;
    private GenerationOutcome? _outcome;

    protected UpstreamGeneration(UpstreamStream stream, CancellationToken startToken)
    {
        Stream = stream;
        _startToken = startToken;
        _stop = startToken.Register(stream.Dispose);
    }

    protected UpstreamStream Stream { get; }

    /// <summary>Steps decoded from the last event, not yet handed out.</summary>
    protected Queue<GenerationStep> Pending { get; } = new();

    protected int PromptTokens { get; set; }
    protected int CachedTokens { get; set; }
    protected int OutputTokens { get; set; }

    /// <summary>The upstream's own queue and compute time, when it reports it (a Spark upstream's <c>usage.spark_timing</c>).</summary>
    protected Spark.Protocol.Responses.SparkTiming? Timing { get; set; }

    public bool ReportsToolCalls => true;

    public async ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Pending.TryDequeue(out var step))
            {
                _stepped = true;
                return step;
            }
            if (_outcome is not null) return GenerationStep.Finished(_outcome);
            (string? Event, string Data)? next;
            try
            {
                next = await Stream.Events.NextAsync(cancellationToken, _stepped ? null : FirstTokenTimeLeft());
            }
            catch (TimeoutException)
            {
                Fail(_stepped
                    ? $"{Stream.Source} stopped sending mid-response (nothing for {Stream.Options.IdleTimeout.TotalSeconds:0.###} s, the idle timeout)"
                    : $"{Stream.Source} sent no first token within {Stream.Options.FirstTokenTimeout.TotalSeconds:0.###} s (first-token timeout)");
                continue;
            }
            catch (Exception) when (_startToken.IsCancellationRequested || cancellationToken.IsCancellationRequested)
            {
                Finish(FinishReason.Cancelled);
                continue;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
            {
                Fail($"{Stream.Source} broke the stream mid-response ({e.Message})");
                continue;
            }
            if (next is null)
            {
                OnEnd();
                continue;
            }
            try
            {
                using var doc = next.Value.Data == "[DONE]" ? null : JsonDocument.Parse(next.Value.Data);
                OnEvent(next.Value.Event, doc?.RootElement);
            }
            catch (JsonException e)
            {
                Fail($"{Stream.Source} sent an event that is not JSON ({e.Message})");
            }
        }
    }

    private TimeSpan FirstTokenTimeLeft()
    {
        var left = Stream.Options.FirstTokenTimeout - System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>Handles one event (<paramref name="json"/> null for Chat Completions' <c>[DONE]</c>).</summary>
    protected abstract void OnEvent(string? name, JsonElement? json);

    /// <summary>The stream ended; a protocol that saw its terminal event has already finished.</summary>
    protected virtual void OnEnd() => Fail($"{Stream.Source} closed the stream before the response was complete");

    protected bool Finished => _outcome is not null;

    protected void Finish(FinishReason reason)
    {
        _outcome ??= new GenerationOutcome(reason, PromptTokens, CachedTokens, OutputTokens) { Timing = Timing };
        Stream.Dispose();
    }

    protected void Fail(string message)
    {
        _outcome ??= new GenerationOutcome(FinishReason.Failed, PromptTokens, CachedTokens, OutputTokens, new UpstreamException(message));
        Stream.Dispose();
    }

    protected static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    protected static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt32(out int n) ? n : 0;

    protected static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public void Dispose()
    {
        _stop.Dispose();
        Stream.Dispose();
    }
}

/// <summary>An upstream failed in a way the client is told about (its message names the model and replica, never a key).</summary>
public sealed class UpstreamException(string message) : Exception(message);
