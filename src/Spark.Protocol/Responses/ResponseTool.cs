using System.Text.Json;

namespace Spark.Protocol.Responses;

/// <summary>
/// A tool offered to the model: a <c>function</c> tool (<c>name</c>, <c>description</c>, <c>parameters</c> JSON Schema,
/// <c>strict</c>) or another type (<c>custom</c>, <c>web_search</c>, …) whose other fields are ignored.
/// </summary>
public sealed record ResponseTool
{
    /// <summary>The tool type, e.g. <c>function</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The function's name.</summary>
    public string? Name { get; init; }

    /// <summary>What the function does, for the model.</summary>
    public string? Description { get; init; }

    /// <summary>The JSON Schema of the arguments.</summary>
    public JsonElement? Parameters { get; init; }

    /// <summary>A custom tool's input format (<c>text</c> or a grammar); Spark offers the tool as one free-form string.</summary>
    public JsonElement? Format { get; init; }

    /// <summary>Whether the arguments must match the schema exactly.</summary>
    public bool? Strict { get; init; }
}
