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
/// <param name="FinishReason"><c>stop</c> or <c>length</c>.</param>
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
public sealed record ChatDelta(string? Role, string? Content);
