using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Spark.Protocol.Chat;

/// <summary>A chat message: <c>{role, content}</c>; content is a string or text parts (<c>{type:"text", text}</c>).</summary>
public sealed record ChatMessage
{
    /// <summary><c>system</c>, <c>developer</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The text (parts arrive concatenated); null for an assistant message that only calls tools.</summary>
    [JsonConverter(typeof(ChatContentConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Content { get; init; }

    /// <summary>Tool calls of an assistant message.</summary>
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }

    /// <summary>The call a <c>tool</c> message answers.</summary>
    public string? ToolCallId { get; init; }
}

/// <summary>A tool call in an assistant message.</summary>
/// <param name="Id">The call id.</param>
/// <param name="Type">Always <c>function</c>.</param>
/// <param name="Function">Name and arguments.</param>
public sealed record ChatToolCall(string Id, string Type, ChatFunctionCall Function);

/// <summary>The function of a tool call.</summary>
/// <param name="Name">The function.</param>
/// <param name="Arguments">JSON arguments as a string.</param>
public sealed record ChatFunctionCall(string Name, string Arguments);

/// <summary>Reads content given as a string or as a list of text parts.</summary>
internal sealed class ChatContentConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.StartArray:
                var text = new StringBuilder();
                using (var parts = JsonDocument.ParseValue(ref reader))
                {
                    foreach (var part in parts.RootElement.EnumerateArray())
                    {
                        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type))
                            throw new JsonException("each content part must be an object with a \"type\", e.g. {\"type\":\"text\",\"text\":\"Hi\"}");
                        if (type.ValueEquals("text") && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                            text.Append(t.GetString());
                        else if (!type.ValueEquals("text"))
                            throw new JsonException($"content parts of type \"{type}\" are not supported; Spark's models read text only");
                    }
                }
                return text.ToString();
            default:
                throw new JsonException("a message's \"content\" must be a string or a list of text parts");
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
