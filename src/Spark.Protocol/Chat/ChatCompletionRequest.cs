using System.Text.Json;

namespace Spark.Protocol.Chat;

/// <summary>The body of <c>POST /v1/chat/completions</c>. Unknown fields are ignored.</summary>
public sealed record ChatCompletionRequest
{
    /// <summary>The model name or alias.</summary>
    public string? Model { get; init; }

    /// <summary>The conversation so far.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>Stream <c>chat.completion.chunk</c>s as server-sent events.</summary>
    public bool? Stream { get; init; }

    /// <summary>Streaming options.</summary>
    public ChatStreamOptions? StreamOptions { get; init; }

    /// <summary>Most tokens to generate (older name).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Most tokens to generate.</summary>
    public int? MaxCompletionTokens { get; init; }

    /// <summary>Sampling temperature (0 = greedy).</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    public float? TopP { get; init; }

    /// <summary>Random seed: the same seed and request give the same output.</summary>
    public long? Seed { get; init; }

    /// <summary>Function tools offered to the model.</summary>
    public IReadOnlyList<ChatTool>? Tools { get; init; }

    /// <summary><c>auto</c>, <c>none</c>, <c>required</c> or a named function.</summary>
    public JsonElement? ToolChoice { get; init; }
}

/// <summary><c>stream_options</c>.</summary>
/// <param name="IncludeUsage">Send a last chunk with empty <c>choices</c> and the <c>usage</c>.</param>
public sealed record ChatStreamOptions(bool? IncludeUsage);

/// <summary>A function tool: <c>{type:"function", function:{name, description, parameters}}</c>.</summary>
/// <param name="Type">Always <c>function</c>.</param>
/// <param name="Function">The function.</param>
public sealed record ChatTool(string Type, ChatFunction? Function);

/// <summary>A function's declaration.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it does.</param>
/// <param name="Parameters">JSON Schema of its arguments.</param>
public sealed record ChatFunction(string Name, string? Description, JsonElement? Parameters)
{
    /// <summary>Whether the arguments must match the schema exactly.</summary>
    public bool? Strict { get; init; }
}
