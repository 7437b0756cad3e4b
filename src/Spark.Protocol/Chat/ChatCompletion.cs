using System.Text.Json.Serialization;

namespace Spark.Protocol.Chat;

/// <summary>The body of a non-streaming chat completion (<c>object: "chat.completion"</c>).</summary>
public sealed record ChatCompletion(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, ChatUsage Usage)
{
    /// <summary>Always <c>chat.completion</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "chat.completion";
}

/// <summary>One choice of a completion.</summary>
/// <param name="Index">Always 0 (Spark generates one choice).</param>
/// <param name="Message">The assistant message.</param>
/// <param name="FinishReason"><c>stop</c>, <c>length</c> or <c>tool_calls</c>.</param>
public sealed record ChatChoice(int Index, ChatMessage Message, string FinishReason);

/// <summary>Token counts of a chat completion.</summary>
public sealed record ChatUsage(int PromptTokens, int CompletionTokens, int TotalTokens, ChatPromptTokensDetails PromptTokensDetails)
{
    /// <summary>Usage for a prompt of <paramref name="prompt"/> tokens (<paramref name="cached"/> reused) and <paramref name="completion"/> generated.</summary>
    public static ChatUsage Of(int prompt, int cached, int completion) =>
        new(prompt, completion, prompt + completion, new ChatPromptTokensDetails(cached));
}

/// <summary>Details of the prompt tokens.</summary>
/// <param name="CachedTokens">Prompt tokens whose KV state was reused.</param>
public sealed record ChatPromptTokensDetails(int CachedTokens);

/// <summary>A streamed chunk (<c>object: "chat.completion.chunk"</c>) other than a per-token content delta.</summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices)
{
    /// <summary>Always <c>chat.completion.chunk</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "chat.completion.chunk";

    /// <summary>Usage, on the last chunk when <c>stream_options.include_usage</c> is set (then <c>choices</c> is empty).</summary>
    public ChatUsage? Usage { get; init; }
}

/// <summary>One choice of a chunk.</summary>
/// <param name="Index">Always 0.</param>
/// <param name="Delta">The new role or content.</param>
/// <param name="FinishReason">Null until the last content chunk.</param>
public sealed record ChatChunkChoice(
    int Index,
    ChatDelta Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

/// <summary>What a chunk adds.</summary>
/// <param name="Role">The role, on the first chunk.</param>
/// <param name="Content">More text.</param>
public sealed record ChatDelta(string? Role, string? Content)
{
    /// <summary>Tool calls: the first chunk of a call carries its id, type and name; later ones more arguments.</summary>
    public IReadOnlyList<ChatToolCallDelta>? ToolCalls { get; init; }
}

/// <summary>A piece of a streamed tool call.</summary>
/// <param name="Index">Which call of the message (0, 1, …).</param>
/// <param name="Id">The call id, on its first chunk.</param>
/// <param name="Type"><c>function</c>, on its first chunk.</param>
/// <param name="Function">Name (first chunk) and more arguments.</param>
public sealed record ChatToolCallDelta(int Index, string? Id, string? Type, ChatFunctionCallDelta Function);

/// <summary>The function part of a streamed tool call.</summary>
/// <param name="Name">The name, on the call's first chunk.</param>
/// <param name="Arguments">More of the JSON arguments.</param>
public sealed record ChatFunctionCallDelta(string? Name, string? Arguments);
