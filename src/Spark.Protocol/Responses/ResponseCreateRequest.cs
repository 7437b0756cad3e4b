using System.Text.Json;

namespace Spark.Protocol.Responses;

/// <summary>
/// The body of <c>POST /v1/responses</c> (and of a WebSocket <c>response.create</c>). Fields Spark does not know are
/// ignored; <c>include</c>, <c>reasoning</c>, <c>text</c> and <c>client_metadata</c> are accepted and unused.
/// </summary>
public sealed record ResponseCreateRequest
{
    /// <summary>The model name or alias.</summary>
    public string? Model { get; init; }

    /// <summary>The new input: a string or items.</summary>
    public ResponseInput? Input { get; init; }

    /// <summary>A system (developer) message placed before the conversation; not carried over by <see cref="PreviousResponseId"/>.</summary>
    public string? Instructions { get; init; }

    /// <summary>Tools offered to the model.</summary>
    public IReadOnlyList<ResponseTool>? Tools { get; init; }

    /// <summary><c>auto</c>, <c>none</c>, <c>required</c> or <c>{type:"function", name}</c>.</summary>
    public JsonElement? ToolChoice { get; init; }

    /// <summary>Whether the model may call several tools in one turn.</summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>A stored response this one continues: its input and output come before <see cref="Input"/>.</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>Keep the response for <c>GET</c> and <c>previous_response_id</c> (default true).</summary>
    public bool? Store { get; init; }

    /// <summary>Stream server-sent events instead of one JSON body.</summary>
    public bool? Stream { get; init; }

    /// <summary>Most tokens to generate; the response ends <c>incomplete</c> when reached.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Sampling temperature (0 = greedy).</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    public float? TopP { get; init; }

    /// <summary>Up to 16 string pairs echoed back on the response.</summary>
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary><c>auto</c> or <c>disabled</c>.</summary>
    public string? Truncation { get; init; }

    /// <summary>A key grouping requests that share a prompt prefix (cache affinity).</summary>
    public string? PromptCacheKey { get; init; }

    /// <summary>Reasoning settings; Spark's <c>auto</c> model reads <c>effort</c> to pick the fast or the full model.</summary>
    public ReasoningOptions? Reasoning { get; init; }

    /// <summary>
    /// WebSocket mode: <c>false</c> prefills and caches the prompt without generating (a client's prewarm); the
    /// response completes at once with an empty output.
    /// </summary>
    public bool? Generate { get; init; }

    /// <summary>WebSocket mode: the lane this request runs in (same lane: one after another); echoed on its events.</summary>
    public string? StreamId { get; init; }
}

/// <summary>The request's <c>reasoning</c> object.</summary>
public sealed record ReasoningOptions
{
    /// <summary><c>minimal</c>, <c>low</c>, <c>medium</c> or <c>high</c>.</summary>
    public string? Effort { get; init; }
}
