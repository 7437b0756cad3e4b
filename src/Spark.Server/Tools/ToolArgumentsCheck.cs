using System.Text.Json;

namespace Spark.Server.Tools;

/// <summary>
/// Whether a tool call a model reported is usable: it names an offered tool, its arguments are a JSON object, and —
/// for a tool offered with <c>strict: true</c> (and custom tools, whose schema is Spark's own) — they match the
/// schema: types, <c>enum</c>, <c>required</c>, <c>additionalProperties: false</c>, object properties and array
/// items, recursively. Keywords outside that set are not checked, so a valid call is never refused for them.
/// Used to retry or escalate a fast model's broken call before the client sees it.
/// </summary>
internal static class ToolArgumentsCheck
{
    /// <summary>Null when the call is usable; otherwise what is wrong with it, for the escalation reason and logs.</summary>
    public static string? Problem(ToolOptions tools, string name, string arguments)
    {
        var tool = tools.Find(name);
        if (tool is null) return $"called tool '{name}', which was not offered";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(arguments);
        }
        catch (JsonException e)
        {
            return $"the arguments of its '{name}' call are not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')})";
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return $"the arguments of its '{name}' call are {Describe(document.RootElement)}, not a JSON object";
            if ((tool.Strict || tool.IsCustom) && tool.Parameters is { } schema && Mismatch(document.RootElement, schema, "arguments") is { } mismatch)
                return $"its '{name}' call does not match the tool's strict schema: {mismatch}";
        }
        return null;
    }

    private static string? Mismatch(JsonElement value, JsonElement schema, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object) return null;
        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            bool listed = false;
            foreach (var allowed in values.EnumerateArray()) listed |= JsonElement.DeepEquals(allowed, value);
            if (!listed) return $"{path} is {value.GetRawText()}, not one of {values.GetRawText()}";
        }
        if (schema.TryGetProperty("type", out var type))
        {
            bool matches = type.ValueKind switch
            {
                JsonValueKind.String => IsType(value, type.GetString()!),
                JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && IsType(value, t.GetString()!)),
                _ => true,
            };
            if (!matches) return $"{path} should be {type.GetRawText().Trim('"')}, got {Describe(value)}";
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
                foreach (var r in required.EnumerateArray())
                    if (r.ValueKind == JsonValueKind.String && !value.TryGetProperty(r.GetString()!, out _)) return $"{path} lacks the required property '{r.GetString()}'";
            bool closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    if (Mismatch(property.Value, propertySchema, $"{path}.{property.Name}") is { } inner) return inner;
                }
                else if (closed) return $"{path} has the property '{property.Name}', which the schema does not allow";
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            int i = 0;
            foreach (var item in value.EnumerateArray())
                if (Mismatch(item, items, $"{path}[{i++}]") is { } inner) return inner;
        }
        return null;
    }

    private static bool IsType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out decimal d) && d == decimal.Truncate(d),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true, // a type Spark does not know: not checked
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
