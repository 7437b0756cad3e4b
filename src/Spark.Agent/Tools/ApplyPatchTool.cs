using System.Text;
using Spark.Agent.Policy;
using Spark.Agent.Tools.Patch;

namespace Spark.Agent.Tools;

/// <summary>
/// <c>apply_patch {input}</c>: edits files with the patch format Codex-trained models write (Add / Update with
/// <c>@@</c> hunks / Move / Delete), all files or none, refusing paths outside the workspace and any write in a
/// read-only sandbox.
/// </summary>
public sealed class ApplyPatchTool(Workspace workspace, Sandbox sandbox) : ITool
{
    /// <inheritdoc />
    public ToolSpec Spec { get; } = ToolSpec.Create("apply_patch",
        """
        Edits files with a patch. The input must look like:
        *** Begin Patch
        *** Add File: path/new.txt
        +first line of the new file
        *** Update File: path/existing.py
        *** Move to: path/renamed.py   (optional)
        @@ def greet():
        -    print("Hi")
        +    print("Hello")
        *** Delete File: path/old.txt
        *** End Patch
        In Update File hunks, lines start with ' ' (unchanged context, about 3 lines around each change), '-' (remove)
        or '+' (add); the text after @@ names a line (a function or class) to find first. Paths are relative to the
        workspace. The patch applies completely or not at all.
        """,
        """
        {
          "type": "object",
          "properties": {
            "input": { "type": "string", "description": "The whole patch, from '*** Begin Patch' to '*** End Patch'." }
          },
          "required": ["input"],
          "additionalProperties": false
        }
        """);

    /// <inheritdoc />
    public bool IsMutating(ToolArguments arguments) => true;

    /// <inheritdoc />
    public Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(Apply(arguments.RequiredString("input"), baseDirectory: null));

    /// <summary>Applies a patch whose relative paths start at <paramref name="baseDirectory"/> (null: the workspace root).</summary>
    internal ToolResult Apply(string input, string? baseDirectory)
    {
        if (!sandbox.AllowsWrites)
            return ToolResult.Error(
                "apply_patch: the sandbox is read-only (--sandbox read-only); no file can be changed in this session.");
        IReadOnlyList<FileChange> changes;
        try
        {
            changes = new PatchApplier(workspace, baseDirectory).Apply(PatchParser.Parse(input));
        }
        catch (PatchFormatException e)
        {
            return ToolResult.Error($"apply_patch: invalid patch. {e.Message} No file was changed.");
        }
        catch (PatchApplyException e)
        {
            string suffix = e.Message.Contains("No file was changed", StringComparison.Ordinal) ? "" : "\nNo file was changed.";
            return ToolResult.Error($"apply_patch: {e.Message}{suffix}");
        }
        catch (PathOutsideWorkspaceException e)
        {
            return ToolResult.Error($"apply_patch: {e.Message} No file was changed.");
        }
        return new ToolResult { Output = Summarize(changes), FileChanges = changes };
    }

    private static string Summarize(IReadOnlyList<FileChange> changes)
    {
        var sb = new StringBuilder("Success. Updated the following files:");
        foreach (var c in changes)
        {
            sb.Append('\n').Append(c.Kind switch
            {
                FileChangeKind.Added => "A ",
                FileChangeKind.Deleted => "D ",
                FileChangeKind.Moved => "R ",
                _ => "M ",
            }).Append(c.Path);
            if (c.MovedTo is not null) sb.Append(" -> ").Append(c.MovedTo);
        }
        return sb.ToString();
    }
}
