using System.Text.Json;

namespace Spark.Server.Tests.Tools;

/// <summary>
/// An independent JSON Schema check (the subset tool schemas use) for asserting that constrained arguments
/// validate: written apart from the engine's grammar so a bug there cannot hide itself.
/// </summary>
internal static class SchemaCheck
{
    public static void AssertValid(string schemaJson, string valueJson)
    {
        var errors = new List<string>();
        Check(JsonDocument.Parse(schemaJson).RootElement, JsonDocument.Parse(valueJson).RootElement, "$", errors);
        Assert.True(errors.Count == 0, $"{valueJson} does not match {schemaJson}: {string.Join("; ", errors)}");
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("enum", out var values))
        {
            if (!values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value))) errors.Add($"{path}: {value} not in enum");
            return;
        }
        if (!schema.TryGetProperty("type", out var type)) return;
        switch (type.GetString())
        {
            case "object":
                if (value.ValueKind != JsonValueKind.Object) { errors.Add($"{path}: not an object"); return; }
                var props = schema.TryGetProperty("properties", out var p) ? p : default;
                if (schema.TryGetProperty("required", out var req))
                    foreach (var r in req.EnumerateArray())
                        if (!value.TryGetProperty(r.GetString()!, out _)) errors.Add($"{path}: missing {r}");
                bool closed = schema.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False;
                foreach (var member in value.EnumerateObject())
                {
                    if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(member.Name, out var sub)) Check(sub, member.Value, $"{path}.{member.Name}", errors);
                    else if (closed) errors.Add($"{path}: unexpected {member.Name}");
                }
                break;
            case "array":
                if (value.ValueKind != JsonValueKind.Array) { errors.Add($"{path}: not an array"); return; }
                int n = value.GetArrayLength();
                if (schema.TryGetProperty("minItems", out var min) && n < min.GetInt32()) errors.Add($"{path}: fewer than {min} items");
                if (schema.TryGetProperty("maxItems", out var max) && n > max.GetInt32()) errors.Add($"{path}: more than {max} items");
                if (schema.TryGetProperty("items", out var items))
                {
                    int i = 0;
                    foreach (var item in value.EnumerateArray()) Check(items, item, $"{path}[{i++}]", errors);
                }
                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String) { errors.Add($"{path}: not a string"); return; }
                // JSON Schema counts a string's length in Unicode code points, not UTF-16 units.
                if (schema.TryGetProperty("maxLength", out var ml) && value.GetString()!.EnumerateRunes().Count() > ml.GetInt32()) errors.Add($"{path}: too long");
                break;
            case "integer":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _)) errors.Add($"{path}: not an integer");
                break;
            case "number":
                if (value.ValueKind != JsonValueKind.Number) errors.Add($"{path}: not a number");
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) errors.Add($"{path}: not a boolean");
                break;
        }
    }
}
