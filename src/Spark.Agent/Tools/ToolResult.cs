namespace Spark.Agent.Tools;

/// <summary>
/// What a tool call produced: <see cref="Output"/> is the text sent back to the model; the other members are the
/// structured facts front ends show (exit code, files changed, the plan).
/// </summary>
public sealed record ToolResult
{
    /// <summary>The text the model sees as the call's output.</summary>
    public required string Output { get; init; }

    /// <summary>True when the call failed (bad arguments, a patch that did not apply, a non-zero exit …).</summary>
    public bool IsError { get; init; }

    /// <summary>The shell command's exit code; null for other tools or when the process was killed.</summary>
    public int? ExitCode { get; init; }

    /// <summary>True when the call was stopped by its timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>True when the call was stopped by cancellation (the user interrupted the turn).</summary>
    public bool Interrupted { get; init; }

    /// <summary>How long the call ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Files a patch added, updated, moved or deleted, in patch order; empty for other tools.</summary>
    public IReadOnlyList<FileChange> FileChanges { get; init; } = [];

    /// <summary>The plan after an <c>update_plan</c> call; empty for other tools.</summary>
    public IReadOnlyList<PlanStep> Plan { get; init; } = [];

    /// <summary>A failed call whose output explains what went wrong and how to fix it.</summary>
    public static ToolResult Error(string message) => new() { Output = message, IsError = true };

    /// <summary>A successful call with plain text output.</summary>
    public static ToolResult Ok(string output) => new() { Output = output };
}

/// <summary>The kind of change a patch made to one file.</summary>
public enum FileChangeKind
{
    /// <summary>The file was created (or overwritten by an Add File section).</summary>
    Added,
    /// <summary>The file's content changed in place.</summary>
    Updated,
    /// <summary>The file was removed.</summary>
    Deleted,
    /// <summary>The file was renamed (and possibly edited); <see cref="FileChange.MovedTo"/> says where.</summary>
    Moved,
}

/// <summary>One file a patch changed, with workspace-relative paths.</summary>
/// <param name="Kind">What happened to it.</param>
/// <param name="Path">The file's path before the change.</param>
/// <param name="MovedTo">The new path when <paramref name="Kind"/> is <see cref="FileChangeKind.Moved"/>.</param>
public sealed record FileChange(FileChangeKind Kind, string Path, string? MovedTo = null)
{
    /// <summary>The change as a unified diff (<c>--- a/…</c>, <c>+++ b/…</c>, <c>@@</c> hunks with 3 lines of context).</summary>
    public string Diff { get; init; } = "";
}
