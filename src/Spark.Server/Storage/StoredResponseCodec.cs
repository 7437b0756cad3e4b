using System.Buffers;
using System.Text.Json;
using Spark.Protocol.Json;

namespace Spark.Server.Storage;

/// <summary>
/// A stored response as one UTF-8 JSON document, <c>{"response": {…}, "conversation": [items…]}</c>, in the wire
/// shapes of the Responses API, so SQLite rows and Redis values stay readable with ordinary tools.
/// </summary>
internal static class StoredResponseCodec
{
    public static byte[] Encode(StoredResponse stored)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("response");
            JsonSerializer.Serialize(writer, stored.Response, ProtocolJsonContext.Default.ResponseObject);
            writer.WritePropertyName("conversation");
            JsonSerializer.Serialize(writer, stored.Conversation as List<Protocol.Responses.ResponseItem> ?? [.. stored.Conversation],
                ProtocolJsonContext.Default.ListResponseItem);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads what <see cref="Encode"/> wrote; <paramref name="where"/> names the record in the error of a damaged one.</summary>
    public static StoredResponse Decode(ReadOnlySpan<byte> utf8, string where)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var response = root.GetProperty("response").Deserialize(ProtocolJsonContext.Default.ResponseObject)
                ?? throw new InvalidDataException("'response' is null");
            var conversation = root.GetProperty("conversation").Deserialize(ProtocolJsonContext.Default.ListResponseItem)
                ?? throw new InvalidDataException("'conversation' is null");
            return new StoredResponse(response, conversation);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException)
        {
            throw new InvalidDataException($"The stored response {where} is damaged ({e.Message}); delete it (DELETE /v1/responses/{{id}}) or the store file.", e);
        }
    }
}
