using Spark.Agent.Policy;

namespace Spark.Agent.Tools;

/// <summary>
/// The tools of one session: their declarations (sent to the model) and dispatch of a call by name. A call never
/// throws: unknown tools, malformed arguments and tool failures all become error results the model can read.
/// </summary>
public sealed class ToolRegistry
{
    private readonly Dictionary<string, ITool> _tools = new(StringComparer.Ordinal);
    private readonly List<ITool> _ordered = [];

    /// <summary>A registry holding the given tools, in declaration order.</summary>
    public ToolRegistry(IEnumerable<ITool> tools)
    {
        foreach (var tool in tools)
        {
            if (!_tools.TryAdd(tool.Spec.Name, tool))
                throw new ArgumentException($"Two tools are both named '{tool.Spec.Name}'.", nameof(tools));
            _ordered.Add(tool);
        }
    }

    /// <summary>The standard tool set (shell, apply_patch, read_file, list_dir, grep, update_plan) for a workspace.</summary>
    public static ToolRegistry CreateDefault(Workspace workspace, Sandbox sandbox)
    {
        var applyPatch = new ApplyPatchTool(workspace, sandbox);
        return new(
        [
            new ShellTool(workspace, sandbox, applyPatch),
            applyPatch,
            new ReadFileTool(workspace),
            new ListDirTool(workspace),
            new GrepTool(workspace),
            new UpdatePlanTool(),
        ]);
    }

    /// <summary>The declarations to send to the model.</summary>
    public IReadOnlyList<ToolSpec> Specs => [.. _ordered.Select(t => t.Spec)];

    /// <summary>The tool with this name, if registered.</summary>
    public ITool? Find(string name) => _tools.GetValueOrDefault(name);

    /// <summary>Runs a call by tool name with its JSON arguments string.</summary>
    public async Task<ToolResult> InvokeAsync(string name, string? argumentsJson, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(name, out var tool))
            return ToolResult.Error(
                $"Unknown tool '{name}'. Available tools: {string.Join(", ", _ordered.Select(t => t.Spec.Name))}.");

        return await tool.InvokeJsonAsync(argumentsJson, cancellationToken).ConfigureAwait(false);
    }
}
