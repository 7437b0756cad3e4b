using System.Text.Json;
using System.Text.Json.Serialization;

namespace Spark.Protocol.Responses;

/// <summary>
/// A response as the API returns it (<c>object: "response"</c>): the body of a non-streaming request and of
/// <c>GET /v1/responses/{id}</c>, and the <c>response</c> of the lifecycle stream events.
/// </summary>
public sealed record ResponseObject
{
    /// <summary><c>resp_…</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Always <c>response</c>.</summary>
    public string Object { get; init; } = "response";

    /// <summary>Unix seconds.</summary>
    public required long CreatedAt { get; init; }

    /// <summary>One of <see cref="ResponseStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Why the response failed, or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseError? Error { get; init; }

    /// <summary>Why the response is incomplete, or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IncompleteDetails? IncompleteDetails { get; init; }

    /// <summary>The request's instructions.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Instructions { get; init; }

    /// <summary>The request's token limit.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? MaxOutputTokens { get; init; }

    /// <summary>The model that produced it.</summary>
    public required string Model { get; init; }

    /// <summary>The items generated.</summary>
    public IReadOnlyList<ResponseItem> Output { get; init; } = [];

    /// <summary>Whether several tool calls may come in one turn.</summary>
    public bool ParallelToolCalls { get; init; } = true;

    /// <summary>The response this one continues.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousResponseId { get; init; }

    /// <summary>Whether it is kept for later retrieval.</summary>
    public bool Store { get; init; } = true;

    /// <summary>The temperature used.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public float? Temperature { get; init; }

    /// <summary>The top-p used.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public float? TopP { get; init; }

    /// <summary>The tool choice, as requested (default <c>"auto"</c>).</summary>
    public JsonElement? ToolChoice { get; init; }

    /// <summary>The tools offered.</summary>
    public IReadOnlyList<ResponseTool> Tools { get; init; } = [];

    /// <summary><c>disabled</c> or <c>auto</c>.</summary>
    public string Truncation { get; init; } = "disabled";

    /// <summary>Token counts; null until the response ends.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseUsage? Usage { get; init; }

    /// <summary>The request's metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The concatenated text of every <c>output_text</c> part (what SDKs call <c>output_text</c>).</summary>
    public string OutputText()
    {
        var text = new System.Text.StringBuilder();
        foreach (var item in Output)
            if (item is MessageItem message)
                foreach (var part in message.Content)
                    if (part.Type == ContentPartTypes.OutputText) text.Append(part.Text);
        return text.ToString();
    }
}

/// <summary>The values of <see cref="ResponseObject.Status"/>.</summary>
public static class ResponseStatus
{
    /// <summary>Generating.</summary>
    public const string InProgress = "in_progress";
    /// <summary>Finished normally.</summary>
    public const string Completed = "completed";
    /// <summary>Stopped early; see <see cref="ResponseObject.IncompleteDetails"/>.</summary>
    public const string Incomplete = "incomplete";
    /// <summary>Failed; see <see cref="ResponseObject.Error"/>.</summary>
    public const string Failed = "failed";
    /// <summary>Cancelled by the client.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>Waiting to run.</summary>
    public const string Queued = "queued";
}

/// <summary>Why a response is incomplete.</summary>
/// <param name="Reason">
/// <c>max_output_tokens</c> (the request's limit was reached) or <c>context_length</c> (a Spark reason: the
/// model's context is full).
/// </param>
public sealed record IncompleteDetails(string Reason)
{
    /// <summary>The request's <c>max_output_tokens</c> was reached.</summary>
    public const string MaxOutputTokens = "max_output_tokens";
    /// <summary>The context window filled up before the model finished.</summary>
    public const string ContextLength = "context_length";
    /// <summary>WebSocket steering: the response stopped at a token boundary and a successor continues with the steering input.</summary>
    public const string Steered = "steered";
}

/// <summary>Why a response failed.</summary>
/// <param name="Code">A stable code, e.g. <c>server_error</c>.</param>
/// <param name="Message">What happened.</param>
public sealed record ResponseError(string Code, string Message);

/// <summary>Token counts of a response.</summary>
/// <param name="InputTokens">Prompt tokens, including those served from the cache.</param>
/// <param name="InputTokensDetails">How many prompt tokens came from the cache.</param>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="OutputTokensDetails">Reasoning tokens among them.</param>
/// <param name="TotalTokens">Input plus output.</param>
public sealed record ResponseUsage(
    int InputTokens,
    InputTokensDetails InputTokensDetails,
    int OutputTokens,
    OutputTokensDetails OutputTokensDetails,
    int TotalTokens)
{
    /// <summary>Usage for <paramref name="input"/> prompt tokens (<paramref name="cached"/> of them reused) and <paramref name="output"/> generated.</summary>
    public static ResponseUsage Of(int input, int cached, int output) =>
        new(input, new InputTokensDetails(cached, input - cached), output, new OutputTokensDetails(0), input + output);

    /// <summary>
    /// Spark's extension (absent from other servers and from Spark's proxied backends): where the server spent the
    /// response's time, so a client can subtract it from the wall time it saw and get the transport's overhead.
    /// </summary>
    public SparkTiming? SparkTiming { get; init; }
}

/// <summary>Server-side time of one response, in milliseconds (Spark's <c>usage.spark_timing</c>).</summary>
/// <param name="QueueMs">From the request being queued for the engine to the engine starting it.</param>
/// <param name="ComputeMs">Engine time: prefill and decoding, up to the last token.</param>
public sealed record SparkTiming(double QueueMs, double ComputeMs)
{
    /// <summary>
    /// Decode steps between the first and the last output token (output tokens minus one); null when fewer than two
    /// tokens came or the backend does not measure its steps. The two fields below cover exactly these steps, so a
    /// client that timed the same tokens' deltas can tell what the server added per token on top of the engine.
    /// </summary>
    public int? DecodeSteps { get; init; }

    /// <summary>The engine's forward passes over <see cref="DecodeSteps"/>, in milliseconds: the model alone.</summary>
    public double? DecodeForwardMs { get; init; }

    /// <summary>
    /// From the first output token to the last on the engine's thread, in milliseconds: the forward passes plus
    /// sampling, the tool-call grammar and handing each token to the request's stream.
    /// </summary>
    public double? DecodeSpanMs { get; init; }

    /// <summary>Timing from two <see cref="System.Diagnostics.Stopwatch"/> tick spans.</summary>
    public static SparkTiming Of(long queueTicks, long computeTicks) =>
        new(queueTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency, computeTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency);
}

/// <summary>Details of the prompt tokens.</summary>
/// <param name="CachedTokens">Prompt tokens whose KV state was reused rather than computed.</param>
/// <param name="CacheWriteTokens">Prompt tokens computed and written to the KV cache (the rest of the prompt).</param>
public sealed record InputTokensDetails(int CachedTokens, int CacheWriteTokens = 0);

/// <summary>Details of the generated tokens.</summary>
/// <param name="ReasoningTokens">Tokens spent reasoning (0: Spark's models do not reason separately).</param>
public sealed record OutputTokensDetails(int ReasoningTokens);
