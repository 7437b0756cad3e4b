namespace Spark.Agent.Tools;

/// <summary>The state of one plan step.</summary>
public enum PlanStepStatus
{
    /// <summary>Not started.</summary>
    Pending,
    /// <summary>Being worked on (at most one step at a time).</summary>
    InProgress,
    /// <summary>Done.</summary>
    Completed,
}

/// <summary>One step of the agent's visible plan.</summary>
/// <param name="Step">What the step does, in the model's words.</param>
/// <param name="Status">Where it stands.</param>
public sealed record PlanStep(string Step, PlanStepStatus Status);
