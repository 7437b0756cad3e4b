namespace Spark.Bench.Agent;

/// <summary>How a task ended.</summary>
public enum AgentTaskOutcome
{
    /// <summary>The check script exited 0 after the agent finished.</summary>
    Passed,
    /// <summary>The agent finished but the check script failed.</summary>
    Failed,
    /// <summary>The agent ran past the task's timeout and was killed; the task counts as failed.</summary>
    Timeout,
    /// <summary>The setup script failed, so the agent never ran: the task itself is broken.</summary>
    SetupError,
}

/// <summary>One task's result.</summary>
/// <param name="Task">The task.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="AgentExitCode">The agent process's exit code (null when it was killed).</param>
/// <param name="AgentMs">The agent process's wall time, start-up included.</param>
/// <param name="Transcript">What the agent reported (timing, requests, tool calls, error).</param>
/// <param name="Detail">Why it failed: the tail of the check's, setup's or agent's output; empty when it passed.</param>
public sealed record AgentTaskResult(AgentTask Task, AgentTaskOutcome Outcome, int? AgentExitCode, double AgentMs, ExecTranscript Transcript, string Detail)
{
    /// <summary>The task's workspace when it was kept (<c>--keep-workspaces</c>), else null (deleted).</summary>
    public string? Workspace { get; init; }

    /// <summary>The name report.json and the table use for the outcome.</summary>
    public string OutcomeName => Outcome switch
    {
        AgentTaskOutcome.Passed => "pass",
        AgentTaskOutcome.Failed => "fail",
        AgentTaskOutcome.Timeout => "timeout",
        _ => "setup-error",
    };

    /// <summary>Process wall time outside the agent's turn: process start, model load, server start, session files.</summary>
    public double StartupMs => Transcript.Timing is { } t ? Math.Max(0, AgentMs - t.TotalMs) : AgentMs;
}
