using System.Text.Json;

namespace Spark.Protocol.Chat;

/// <summary>
/// Writes the per-token chat chunk straight to a <see cref="Utf8JsonWriter"/>: the same JSON as serializing a
/// <see cref="ChatCompletionChunk"/> with one choice whose delta has only <c>content</c>, without allocating.
/// </summary>
public static class ChatChunkJson
{
    private static readonly JsonEncodedText Object = JsonEncodedText.Encode("object");
    private static readonly JsonEncodedText ChunkObject = JsonEncodedText.Encode("chat.completion.chunk");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Created = JsonEncodedText.Encode("created");
    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Choices = JsonEncodedText.Encode("choices");
    private static readonly JsonEncodedText Index = JsonEncodedText.Encode("index");
    private static readonly JsonEncodedText Delta = JsonEncodedText.Encode("delta");
    private static readonly JsonEncodedText Content = JsonEncodedText.Encode("content");
    private static readonly JsonEncodedText FinishReason = JsonEncodedText.Encode("finish_reason");

    /// <summary>Writes a chunk carrying <paramref name="content"/> as the delta of choice 0.</summary>
    public static void WriteContentDelta(Utf8JsonWriter json, string id, long created, string model, ReadOnlySpan<char> content)
    {
        json.WriteStartObject();
        json.WriteString(Object, ChunkObject);
        json.WriteString(Id, id);
        json.WriteNumber(Created, created);
        json.WriteString(Model, model);
        json.WriteStartArray(Choices);
        json.WriteStartObject();
        json.WriteNumber(Index, 0);
        json.WriteStartObject(Delta);
        json.WriteString(Content, content);
        json.WriteEndObject();
        json.WriteNull(FinishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
