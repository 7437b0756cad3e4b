using System.Text.Json;
using System.Text.Json.Serialization;

namespace Spark.Protocol.Responses;

/// <summary>
/// One part of a message's content: <c>input_text</c>, <c>output_text</c> (with <c>annotations</c>) or a type Spark
/// does not read (images, files), kept so it can be reported as unsupported rather than lost silently.
/// </summary>
public sealed record ContentPart
{
    /// <summary>The part type, e.g. <c>input_text</c> or <c>output_text</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The text of a text part; null for other parts.</summary>
    public string? Text { get; init; }

    /// <summary>Annotations of an <c>output_text</c> part (always empty from Spark); null on input parts.</summary>
    public IReadOnlyList<JsonElement>? Annotations { get; init; }

    /// <summary>True for the parts whose <see cref="Text"/> is the content (<c>input_text</c>, <c>output_text</c>, <c>text</c>).</summary>
    [JsonIgnore]
    public bool IsText => Type is ContentPartTypes.InputText or ContentPartTypes.OutputText or ContentPartTypes.Text;

    /// <summary>An <c>output_text</c> part as Spark writes it.</summary>
    public static ContentPart OutputText(string text) => new() { Type = ContentPartTypes.OutputText, Text = text, Annotations = [] };

    /// <summary>An <c>input_text</c> part.</summary>
    public static ContentPart InputText(string text) => new() { Type = ContentPartTypes.InputText, Text = text };
}

/// <summary>The content part types Spark reads.</summary>
public static class ContentPartTypes
{
    /// <summary>User, system or developer text.</summary>
    public const string InputText = "input_text";
    /// <summary>Assistant text.</summary>
    public const string OutputText = "output_text";
    /// <summary>Plain text (Chat Completions parts).</summary>
    public const string Text = "text";
}
