namespace Spark.Bench.Agent;

/// <summary>
/// One task of an agent suite: a folder with <c>task.toml</c> (what to ask, how long the agent may take), a
/// <c>setup</c> script that fills an empty workspace, and a <c>check</c> script that exits 0 when the task is solved.
/// </summary>
/// <param name="Name">The folder's name, which names the task in reports.</param>
/// <param name="Directory">The task folder (absolute).</param>
/// <param name="Instruction">What the agent is asked to do.</param>
/// <param name="TimeoutSeconds">How long the agent may run before its process tree is killed.</param>
public sealed record AgentTask(string Name, string Directory, string Instruction, int TimeoutSeconds)
{
    /// <summary>The file that describes the task.</summary>
    public const string TomlFile = "task.toml";

    /// <summary>Fills the fresh workspace (run there, with <c>TASK_DIR</c> set to the task folder).</summary>
    public const string SetupScript = "setup";

    /// <summary>Exits 0 when the workspace solves the task (run there, with <c>TASK_DIR</c> set).</summary>
    public const string CheckScript = "check";

    /// <summary>The reference solution (run in a set-up workspace); only the suite's own tests use it.</summary>
    public const string SolutionScript = "solution";

    /// <summary>Path of one of the task's files.</summary>
    public string File(string name) => Path.Combine(Directory, name);
}
