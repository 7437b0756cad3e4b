using System.Text;

namespace Spark.Engine.Inference.Constraints;

/// <summary>How a model family writes one tool call: the text before the name, between name and arguments, and after.</summary>
/// <param name="Prefix">Text up to the name's opening quote, e.g. <c>&lt;tool_call&gt;\n{"name": </c>.</param>
/// <param name="Middle">Text between the name and the arguments object, e.g. <c>, "arguments": </c>.</param>
/// <param name="Suffix">Text after the arguments, e.g. <c>}\n&lt;/tool_call&gt;</c>.</param>
public sealed record ToolCallFormat(string Prefix, string Middle, string Suffix)
{
    /// <summary>Qwen2.5 / Hermes: <c>&lt;tool_call&gt;\n{"name": "f", "arguments": {…}}\n&lt;/tool_call&gt;</c>.</summary>
    public static ToolCallFormat Hermes { get; } = new("<tool_call>\n{\"name\": ", ", \"arguments\": ", "}\n</tool_call>");

    /// <summary>Llama 3.x JSON calls: <c>{"name": "f", "parameters": {…}}</c>.</summary>
    public static ToolCallFormat Llama3Json { get; } = new("{\"name\": ", ", \"parameters\": ", "}");
}

/// <summary>One tool a constrained call may name, with the JSON Schema of its arguments.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Arguments">The compiled arguments schema.</param>
public sealed record ToolSignature(string Name, SchemaNode Arguments);

/// <summary>
/// The language of exactly one tool call in <see cref="Format"/>: the name is one of <see cref="Tools"/> and the
/// arguments match that tool's schema. Up to two whitespace characters may precede the call (a SentencePiece
/// model's first token often starts with a space).
/// </summary>
public sealed class ToolCallGrammar
{
    /// <summary>Builds the grammar; throws <see cref="ArgumentException"/> for no tools or more than 64.</summary>
    public ToolCallGrammar(ToolCallFormat format, IReadOnlyList<ToolSignature> tools)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (tools.Count is 0 or > 64) throw new ArgumentException($"a constrained tool call needs 1 to 64 tools, not {tools.Count}", nameof(tools));
        Format = format;
        Tools = tools;
        Prefix = Encoding.UTF8.GetBytes(format.Prefix);
        Middle = Encoding.UTF8.GetBytes(format.Middle);
        Suffix = Encoding.UTF8.GetBytes(format.Suffix);
        var names = new byte[tools.Count][];
        for (int i = 0; i < tools.Count; i++) names[i] = SchemaNode.Encode(tools[i].Name);
        Names = SchemaNode.EnumOf(names);
    }

    /// <summary>The call syntax.</summary>
    public ToolCallFormat Format { get; }

    /// <summary>The tools a call may name.</summary>
    public IReadOnlyList<ToolSignature> Tools { get; }

    internal byte[] Prefix { get; }
    internal byte[] Middle { get; }
    internal byte[] Suffix { get; }
    internal SchemaNode Names { get; }
}
