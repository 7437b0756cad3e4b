using System.Text.Json;
using System.Text.Json.Serialization;
using Spark.Protocol.Json;

namespace Spark.Protocol.Responses;

/// <summary>
/// The <c>input</c> of a response request: a string (one user message) or a list of <see cref="ResponseItem"/>s.
/// Either way <see cref="Items"/> holds the items.
/// </summary>
[JsonConverter(typeof(ResponseInputConverter))]
public sealed record ResponseInput(IReadOnlyList<ResponseItem> Items)
{
    /// <summary>A single user message.</summary>
    public static ResponseInput FromText(string text) =>
        new([new MessageItem { Role = "user", Content = [ContentPart.InputText(text)] }]);
}

internal sealed class ResponseInputConverter : JsonConverter<ResponseInput>
{
    public override ResponseInput Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return ResponseInput.FromText(reader.GetString()!);
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("\"input\" must be a string or a list of items");
        var items = new List<ResponseItem>();
        var itemConverter = new ResponseItemConverter();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            try
            {
                items.Add(itemConverter.Read(ref reader, typeof(ResponseItem), options));
            }
            catch (JsonException e)
            {
                throw new JsonException($"input[{items.Count}]: {e.Message}", e);
            }
        }
        return new ResponseInput(items);
    }

    public override void Write(Utf8JsonWriter writer, ResponseInput value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value.Items) JsonSerializer.Serialize(writer, item, ProtocolJsonContext.Default.ResponseItem);
        writer.WriteEndArray();
    }
}
