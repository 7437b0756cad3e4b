using System.Text.Json;

namespace Spark.Server.Tools;

/// <summary>
/// A tool offered to the model: a function (name, description, JSON Schema of its arguments) or a custom tool, which
/// is offered as a function taking one string <c>input</c> and whose calls come back as <c>custom_tool_call</c>s.
/// </summary>
/// <param name="Name">The name the model calls.</param>
/// <param name="Description">What it does, for the model.</param>
/// <param name="Parameters">The arguments' JSON Schema (for a custom tool: one required string <c>input</c>).</param>
/// <param name="IsCustom">A custom (free-form input) tool.</param>
/// <param name="Strict">The request's <c>strict: true</c>: the arguments must match <paramref name="Parameters"/> exactly.</param>
public sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters, bool IsCustom = false, bool Strict = false)
{
    /// <summary>The argument a custom tool's free-form input travels in.</summary>
    public const string CustomInputProperty = "input";

    /// <summary>The schema a custom tool is offered with.</summary>
    public static JsonElement CustomParameters { get; } = JsonDocument.Parse(
        """{"type":"object","properties":{"input":{"type":"string","description":"The tool's free-form input."}},"required":["input"],"additionalProperties":false}""").RootElement.Clone();
}

/// <summary>What <c>tool_choice</c> asks for.</summary>
public enum ToolChoiceMode
{
    /// <summary>The model decides (tools in the prompt, calls parsed from its output).</summary>
    Auto,
    /// <summary>No tools: they are left out of the prompt and output is text.</summary>
    None,
    /// <summary>The model must call one of the tools: decoding is constrained to a valid call.</summary>
    Required,
    /// <summary>The model must call the named tool: decoding is constrained to a valid call of it.</summary>
    Named,
}

/// <summary>The tools of a request and how they may be used.</summary>
public sealed record ToolOptions
{
    /// <summary>No tools.</summary>
    public static ToolOptions Empty { get; } = new();

    /// <summary>The tools Spark can offer (unsupported types are already left out).</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    /// <summary>What <c>tool_choice</c> asked for.</summary>
    public ToolChoiceMode Choice { get; init; } = ToolChoiceMode.Auto;

    /// <summary>The tool <see cref="ToolChoiceMode.Named"/> forces.</summary>
    public string? ForcedName { get; init; }

    /// <summary>Whether tools go into the prompt and calls are parsed.</summary>
    public bool Active => Tools.Count > 0 && Choice != ToolChoiceMode.None;

    /// <summary>Whether decoding is constrained to a call.</summary>
    public bool Constrained => Active && Choice is ToolChoiceMode.Required or ToolChoiceMode.Named;

    /// <summary>The tool called <paramref name="name"/>, or null.</summary>
    public ToolDefinition? Find(string name)
    {
        foreach (var t in Tools) if (t.Name == name) return t;
        return null;
    }
}
