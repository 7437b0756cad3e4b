using System.Globalization;
using System.Text.Json;

namespace Spark.Agent.Tools;

/// <summary>
/// A tool call's JSON arguments, parsed once, with typed accessors whose errors name the tool, the field and the
/// expected type — the message goes straight back to the model.
/// </summary>
public sealed class ToolArguments
{
    private readonly JsonElement _root;

    private ToolArguments(string toolName, JsonElement root)
    {
        ToolName = toolName;
        _root = root;
    }

    /// <summary>The tool these arguments were sent to (used in error messages).</summary>
    public string ToolName { get; }

    /// <summary>The raw JSON object.</summary>
    public JsonElement Json => _root;

    /// <summary>Parses the arguments string of a function call; an empty string counts as <c>{}</c>.</summary>
    /// <exception cref="ToolArgumentException">The text is not a JSON object.</exception>
    public static ToolArguments Parse(string toolName, string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) json = "{}";
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ToolArgumentException(
                $"{toolName}: the arguments are not valid JSON ({e.Message}). Send a JSON object such as {{\"path\": \"README.md\"}}.");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new ToolArgumentException($"{toolName}: the arguments must be a JSON object, not {Describe(root)}.");
        return new ToolArguments(toolName, root);
    }

    /// <summary>Whether the field is present and not null.</summary>
    public bool Has(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>A required string field.</summary>
    public string RequiredString(string name) =>
        OptionalString(name) ?? throw Missing(name, "string");

    /// <summary>An optional string field; null when absent or null.</summary>
    public string? OptionalString(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw WrongType(name, "a string", v);
        return v.GetString();
    }

    /// <summary>An optional integer field; numbers written as strings ("5000") are accepted too.</summary>
    public long? OptionalInteger(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)) return n;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
            return (long)d;
        if (v.ValueKind == JsonValueKind.String &&
            long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s))
            return s;
        throw WrongType(name, "an integer", v);
    }

    /// <summary>A required array field.</summary>
    public JsonElement RequiredArray(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) throw Missing(name, "array");
        if (v.ValueKind != JsonValueKind.Array) throw WrongType(name, "an array", v);
        return v;
    }

    /// <summary>The raw value of a field, if present and not null.</summary>
    public bool TryGet(string name, out JsonElement value) =>
        _root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>An error for a field whose value is unusable.</summary>
    public ToolArgumentException Invalid(string name, string problem) =>
        new($"{ToolName}: '{name}' {problem}");

    private ToolArgumentException Missing(string name, string type) =>
        new($"{ToolName}: missing required field '{name}' ({type}).");

    private ToolArgumentException WrongType(string name, string expected, JsonElement got) =>
        new($"{ToolName}: '{name}' must be {expected}, not {Describe(got)}.");

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
