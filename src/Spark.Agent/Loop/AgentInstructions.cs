namespace Spark.Agent.Loop;

/// <summary>The system instructions Spark's agent sends: who it is, where it works and how to use its tools.</summary>
public static class AgentInstructions
{
    /// <summary>
    /// The instructions for a session in <paramref name="workspaceRoot"/>, followed by the project's
    /// <c>AGENTS.md</c> files (<paramref name="agentsMdFiles"/>, from <see cref="AgentsMdFiles.Discover"/>) when given.
    /// </summary>
    public static string For(string workspaceRoot, IReadOnlyList<string> agentsMdFiles) => For(workspaceRoot) + AgentsMdFiles.Section(agentsMdFiles);

    /// <summary>The instructions for a session in <paramref name="workspaceRoot"/>.</summary>
    public static string For(string workspaceRoot) => $"""
        You are Spark, a coding agent running in the user's terminal. You work in the workspace {workspaceRoot}.
        Use the tools to inspect and change it: `shell` runs a bash command, `apply_patch` edits files with a
        *** Begin Patch / *** End Patch patch, `read_file`, `list_dir` and `grep` read, `update_plan` keeps a checklist.
        A tool result starting with "Not run:" means the call was refused; do not retry it unchanged.
        When the task is done, answer with a short summary of what you did and stop calling tools.
        """;
}
