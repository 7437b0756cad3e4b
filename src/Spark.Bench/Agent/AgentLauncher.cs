namespace Spark.Bench.Agent;

/// <summary>
/// How to start the agent on one task: a command that speaks <c>spark exec --json</c>'s event lines. The runner
/// appends <c>--cd WORKSPACE INSTRUCTION</c> to <see cref="Arguments"/>.
/// </summary>
/// <param name="FileName">The program, e.g. <c>dotnet</c> or the <c>spark</c> executable.</param>
/// <param name="Arguments">Everything before the workspace and the instruction, e.g. <c>spark.dll exec --json -a never</c>.</param>
public sealed record AgentLauncher(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The full argument list for one task.</summary>
    public IEnumerable<string> For(string workspace, string instruction) => [.. Arguments, "--cd", workspace, instruction];
}
