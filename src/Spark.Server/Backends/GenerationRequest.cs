namespace Spark.Server.Backends;

/// <summary>What to generate: a conversation (already resolved from items or chat messages) and how to sample.</summary>
public sealed record GenerationRequest
{
    /// <summary>The conversation, oldest first; the model writes the next assistant turn.</summary>
    public required IReadOnlyList<ChatTurn> Messages { get; init; }

    /// <summary>
    /// Most tokens to generate; null: until the model stops or the context is full; 0: only prefill the prompt into
    /// a KV cache (a prewarm) and finish.
    /// </summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Sampling temperature; null: the engine default. 0 is greedy.</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling mass; null: the engine default.</summary>
    public float? TopP { get; init; }

    /// <summary>Random seed; null picks one.</summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// A generation this one continues (its conversation is a prefix of <see cref="Messages"/>, its output the last
    /// assistant turn there): the prompt then starts with that generation's exact tokens, so its KV cache is reused
    /// whole. Ignored when the rendered conversation does not start with it.
    /// </summary>
    public GenerationContinuation? ContinueFrom { get; init; }

    /// <summary>
    /// What to do when the prompt does not fit the context: an error (the default), or drop the oldest turns
    /// (<see cref="ContextTruncation"/>) until it fits with room for the output.
    /// </summary>
    public ContextOverflow Overflow { get; init; } = ContextOverflow.Error;

    /// <summary>
    /// What keeps a conversation on one upstream replica (the one holding its KV cache): the client's
    /// <c>prompt_cache_key</c>, else a digest of the conversation's start. Null: no preference.
    /// </summary>
    public string? AffinityKey { get; init; }

    /// <summary>Tools offered and whether a call is required (then decoding is constrained to one).</summary>
    public Tools.ToolOptions Tools { get; init; } = Spark.Server.Tools.ToolOptions.Empty;
}

/// <summary>What a backend does with a prompt longer than its context.</summary>
public enum ContextOverflow
{
    /// <summary>Refuse the request with a 400 <c>context_length_exceeded</c> error.</summary>
    Error,
    /// <summary>Refuse it, and say that <c>truncation: "auto"</c> would have dropped the oldest items (the Responses API).</summary>
    ErrorSuggestingTruncation,
    /// <summary><c>truncation: "auto"</c>: drop the oldest turns until the prompt fits.</summary>
    DropOldest,
}

/// <summary>One message of a conversation as the chat template sees it.</summary>
/// <param name="Role"><c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</param>
/// <param name="Content">The text.</param>
public sealed record ChatTurn(string Role, string Content)
{
    /// <summary>The calls an assistant turn made.</summary>
    public IReadOnlyList<ChatTurnToolCall>? ToolCalls { get; init; }

    /// <summary>The call a <c>tool</c> turn answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The tool whose result a <c>tool</c> turn carries, when known.</summary>
    public string? ToolName { get; init; }
}

/// <summary>A tool call inside a replayed assistant turn.</summary>
/// <param name="Id">The call id.</param>
/// <param name="Name">The tool.</param>
/// <param name="Arguments">The arguments, JSON text.</param>
public sealed record ChatTurnToolCall(string Id, string Name, string Arguments);
