using System.Text;
using Spark.Agent.Policy;

namespace Spark.Agent.Tools;

/// <summary>
/// <c>list_dir {path}</c>: one directory's entries, sorted by name, directories marked with a trailing '/',
/// symlinks with their target, files with their size.
/// </summary>
public sealed class ListDirTool(Workspace workspace) : ITool
{
    /// <summary>The most entries one call lists.</summary>
    public const int MaxEntries = 1000;

    /// <inheritdoc />
    public ToolSpec Spec { get; } = ToolSpec.Create("list_dir",
        "Lists the entries of a directory in the workspace (not recursive): directories end with '/', symlinks show " +
        "their target, files show their size in bytes.",
        """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "Directory path, relative to the workspace root ('.' for the root)." }
          },
          "required": ["path"],
          "additionalProperties": false
        }
        """);

    /// <inheritdoc />
    public bool IsMutating(ToolArguments arguments) => false;

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        string path = arguments.RequiredString("path");
        string real = workspace.Resolve(path);
        if (File.Exists(real)) return Task.FromResult(ToolResult.Error($"list_dir: '{path}' is a file; use read_file to read it."));
        if (!Directory.Exists(real)) return Task.FromResult(ToolResult.Error($"list_dir: '{path}' does not exist."));

        var entries = new DirectoryInfo(real).EnumerateFileSystemInfos()
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var sb = new StringBuilder();
        sb.Append(workspace.Relative(real) == "." ? "." : workspace.Relative(real)).Append('/');
        sb.Append($" ({entries.Count} {(entries.Count == 1 ? "entry" : "entries")})");
        foreach (var e in entries.Take(MaxEntries))
        {
            sb.Append("\n  ").Append(e.Name);
            if (e.LinkTarget is { } target) sb.Append(" -> ").Append(target);
            else if (e is DirectoryInfo) sb.Append('/');
            else if (e is FileInfo f) sb.Append($"  ({f.Length:N0} bytes)");
        }
        if (entries.Count > MaxEntries) sb.Append($"\n  … {entries.Count - MaxEntries} more entries not shown");
        return Task.FromResult(ToolResult.Ok(sb.ToString()));
    }
}
