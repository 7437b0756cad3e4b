using System.Text.Json;

namespace Spark.Agent.Tools;

/// <summary>A function tool as declared to the model: its name, what it does, and a JSON schema of its arguments.</summary>
/// <param name="Name">The name the model calls it by (Codex-trained models expect <c>shell</c>, <c>apply_patch</c>, …).</param>
/// <param name="Description">What the tool does and when to use it, written for the model.</param>
/// <param name="Parameters">The JSON schema (an <c>object</c> schema) of the arguments.</param>
public sealed record ToolSpec(string Name, string Description, JsonElement Parameters)
{
    /// <summary>Builds a spec from a JSON-schema literal, parsed once.</summary>
    public static ToolSpec Create(string name, string description, string parametersSchemaJson)
    {
        using var doc = JsonDocument.Parse(parametersSchemaJson);
        return new ToolSpec(name, description, doc.RootElement.Clone());
    }

    /// <summary>The names listed under the schema's <c>required</c> array.</summary>
    public IReadOnlyList<string> RequiredParameters =>
        Parameters.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? [.. required.EnumerateArray().Select(e => e.GetString() ?? "")]
            : [];
}
