using Spark.Agent.Policy;

namespace Spark.Agent.Loop;

/// <summary>How an <see cref="AgentLoop"/> runs its turns.</summary>
public sealed record AgentLoopOptions
{
    /// <summary>Most model requests one user turn may take before it is stopped (a model stuck calling tools).</summary>
    public int MaxModelRequests { get; init; } = 50;

    /// <summary>
    /// Asks the user about a call the policy wants approved; returns true to run it. Null means nobody can be asked
    /// (<c>spark exec</c>): such calls are not run and the model is told why.
    /// </summary>
    public Func<ToolCall, ApprovalDecision.AskUser, CancellationToken, Task<bool>>? Approver { get; init; }
}
