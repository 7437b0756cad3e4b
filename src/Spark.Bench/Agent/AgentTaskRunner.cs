namespace Spark.Bench.Agent;

/// <summary>
/// Runs tasks one after another, each in a fresh temporary workspace: <c>setup</c>, then the agent (killed with its
/// whole process tree at the task's timeout), then <c>check</c>. Scripts run with bash in the workspace, with
/// <c>TASK_DIR</c> set to the task folder (where they find their files; the agent is never shown it).
/// </summary>
public sealed class AgentTaskRunner(AgentLauncher launcher, bool keepWorkspaces = false)
{
    /// <summary>The most a setup or check script may take (C# tasks build with the SDK, which is slow on a busy machine).</summary>
    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs one task.</summary>
    public async Task<AgentTaskResult> RunAsync(AgentTask task, CancellationToken cancellationToken)
    {
        string workspace = CreateWorkspace(task.Name);
        bool keep = false;
        try
        {
            var result = await RunInAsync(task, workspace, cancellationToken).ConfigureAwait(false);
            keep = keepWorkspaces;
            return keep ? result with { Workspace = workspace } : result;
        }
        finally
        {
            if (!keep) DeleteWorkspace(workspace);
        }
    }

    private async Task<AgentTaskResult> RunInAsync(AgentTask task, string workspace, CancellationToken cancellationToken)
    {
        var empty = new ExecTranscript(null, 0, 0, 0, null);
        var setup = await RunScriptAsync(task, AgentTask.SetupScript, workspace, cancellationToken).ConfigureAwait(false);
        if (setup.ExitCode != 0)
            return new AgentTaskResult(task, AgentTaskOutcome.SetupError, null, 0, empty,
                $"setup {(setup.TimedOut ? "timed out" : $"exited {setup.ExitCode}")}: {setup.Tail()}");

        var agent = await ChildProcess.RunAsync(launcher.FileName, launcher.For(workspace, task.Instruction), workspace,
            new Dictionary<string, string>(), TimeSpan.FromSeconds(task.TimeoutSeconds), cancellationToken).ConfigureAwait(false);
        var transcript = ExecTranscript.Parse(agent.StdOut);
        double agentMs = agent.Elapsed.TotalMilliseconds;
        if (agent.TimedOut)
            return new AgentTaskResult(task, AgentTaskOutcome.Timeout, null, agentMs, transcript, $"the agent ran past timeout_s = {task.TimeoutSeconds} and was killed");

        var check = await RunScriptAsync(task, AgentTask.CheckScript, workspace, cancellationToken).ConfigureAwait(false);
        if (check.ExitCode == 0) return new AgentTaskResult(task, AgentTaskOutcome.Passed, agent.ExitCode, agentMs, transcript, "");
        string why = agent.ExitCode != 0
            ? $"the agent exited {agent.ExitCode}: {transcript.Error ?? agent.Tail(4)}"
            : $"check {(check.TimedOut ? "timed out" : $"exited {check.ExitCode}")}: {check.Tail(6)}";
        return new AgentTaskResult(task, AgentTaskOutcome.Failed, agent.ExitCode, agentMs, transcript, why);
    }

    /// <summary>Runs one of the task's scripts in <paramref name="workspace"/>.</summary>
    public static Task<ChildProcessResult> RunScriptAsync(AgentTask task, string script, string workspace, CancellationToken cancellationToken) =>
        ChildProcess.RunAsync("bash", [task.File(script)], workspace,
            new Dictionary<string, string> { ["TASK_DIR"] = task.Directory }, ScriptTimeout, cancellationToken);

    /// <summary>A new empty folder for one task.</summary>
    public static string CreateWorkspace(string taskName)
    {
        string path = Path.Combine(Path.GetTempPath(), $"spark-bench-{taskName}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a workspace, ignoring files a killed process still holds.</summary>
    public static void DeleteWorkspace(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
