using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spark.Protocol.Json;

namespace Spark.Protocol.Responses;

/// <summary>
/// Reads an item by its <c>type</c> (a typeless object with a <c>role</c> is a message, as the API allows) and writes
/// it in the API's shape. Missing or mistyped fields are a <see cref="JsonException"/> naming the field.
/// </summary>
internal sealed class ResponseItemConverter : JsonConverter<ResponseItem>
{
    public override ResponseItem Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("each input item must be an object such as {\"type\":\"message\",\"role\":\"user\",\"content\":\"Hi\"}");
        var json = JsonElement.ParseValue(ref reader);
        string? type = OptionalString(json, "type");
        string? id = OptionalString(json, "id");
        switch (type)
        {
            case null when json.TryGetProperty("role", out _):
            case ResponseItemTypes.Message:
                string role = RequiredString(json, "role", "message");
                return new MessageItem { Id = id, Role = role, Content = ReadContent(json, role), Status = OptionalString(json, "status") };
            case ResponseItemTypes.FunctionCall:
                return new FunctionCallItem
                {
                    Id = id,
                    CallId = RequiredString(json, "call_id", type),
                    Name = RequiredString(json, "name", type),
                    Arguments = RequiredString(json, "arguments", type),
                    Status = OptionalString(json, "status"),
                };
            case ResponseItemTypes.FunctionCallOutput:
                return new FunctionCallOutputItem
                {
                    Id = id,
                    CallId = RequiredString(json, "call_id", type),
                    Output = ReadOutput(json),
                    Status = OptionalString(json, "status"),
                };
            case ResponseItemTypes.CustomToolCall:
                return new CustomToolCallItem
                {
                    Id = id,
                    CallId = RequiredString(json, "call_id", type),
                    Name = RequiredString(json, "name", type),
                    Input = RequiredString(json, "input", type),
                    Status = OptionalString(json, "status"),
                };
            case ResponseItemTypes.CustomToolCallOutput:
                return new CustomToolCallOutputItem { Id = id, CallId = RequiredString(json, "call_id", type), Output = ReadOutput(json) };
            case null:
                throw new JsonException("an input item has no \"type\" (expected \"message\", \"function_call\" or \"function_call_output\")");
            default:
                return new OtherItem(type, json);
        }
    }

    private static List<ContentPart> ReadContent(JsonElement item, string role)
    {
        if (!item.TryGetProperty("content", out var content))
            throw new JsonException("a message item needs \"content\" (a string or a list of parts)");
        if (content.ValueKind == JsonValueKind.String)
        {
            string text = content.GetString()!;
            return [role == "assistant" ? ContentPart.OutputText(text) : ContentPart.InputText(text)];
        }
        if (content.ValueKind != JsonValueKind.Array)
            throw new JsonException($"a message's \"content\" must be a string or a list of parts, not {Describe(content)}");
        var parts = new List<ContentPart>(content.GetArrayLength());
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object) throw new JsonException($"a content part must be an object, not {Describe(part)}");
            string type = RequiredString(part, "type", "content part");
            parts.Add(new ContentPart
            {
                Type = type,
                Text = OptionalString(part, "text"),
                Annotations = type == ContentPartTypes.OutputText ? [] : null,
            });
        }
        return parts;
    }

    private static string ReadOutput(JsonElement item)
    {
        if (!item.TryGetProperty("output", out var output))
            throw new JsonException($"a {OptionalString(item, "type")} item needs \"output\"");
        if (output.ValueKind == JsonValueKind.String) return output.GetString()!;
        if (output.ValueKind != JsonValueKind.Array)
            throw new JsonException($"a {OptionalString(item, "type")}'s \"output\" must be a string or a list of parts, not {Describe(output)}");
        var text = new StringBuilder();
        foreach (var part in output.EnumerateArray())
            if (part.ValueKind == JsonValueKind.Object && OptionalString(part, "text") is { } t) text.Append(t);
        return text.ToString();
    }

    private static string RequiredString(JsonElement json, string name, string what) =>
        OptionalString(json, name) ?? throw new JsonException($"a {what} item needs \"{name}\" (a string)");

    private static string? OptionalString(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new JsonException($"\"{name}\" must be a string, not {Describe(value)}");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "a string",
    };

    public override void Write(Utf8JsonWriter writer, ResponseItem value, JsonSerializerOptions options)
    {
        if (value is OtherItem other)
        {
            other.Json.WriteTo(writer);
            return;
        }
        writer.WriteStartObject();
        if (value.Id is not null) writer.WriteString("id", value.Id);
        writer.WriteString("type", value.Type);
        switch (value)
        {
            case MessageItem message:
                if (message.Status is not null) writer.WriteString("status", message.Status);
                writer.WriteString("role", message.Role);
                writer.WritePropertyName("content");
                writer.WriteStartArray();
                foreach (var part in message.Content) JsonSerializer.Serialize(writer, part, ProtocolJsonContext.Default.ContentPart);
                writer.WriteEndArray();
                break;
            case FunctionCallItem call:
                if (call.Status is not null) writer.WriteString("status", call.Status);
                writer.WriteString("call_id", call.CallId);
                writer.WriteString("name", call.Name);
                writer.WriteString("arguments", call.Arguments);
                break;
            case CustomToolCallItem custom:
                if (custom.Status is not null) writer.WriteString("status", custom.Status);
                writer.WriteString("call_id", custom.CallId);
                writer.WriteString("name", custom.Name);
                writer.WriteString("input", custom.Input);
                break;
            case CustomToolCallOutputItem customOutput:
                writer.WriteString("call_id", customOutput.CallId);
                writer.WriteString("output", customOutput.Output);
                break;
            case FunctionCallOutputItem output:
                if (output.Status is not null) writer.WriteString("status", output.Status);
                writer.WriteString("call_id", output.CallId);
                writer.WriteString("output", output.Output);
                break;
        }
        writer.WriteEndObject();
    }
}
