namespace Spark.Agent.Policy;

/// <summary>What the approval policy says about one tool call.</summary>
public abstract record ApprovalDecision
{
    private protected ApprovalDecision() { }

    /// <summary>Run the call.</summary>
    public sealed record Allow : ApprovalDecision
    {
        /// <summary>Why it may run (a rule, the sandbox, the mode), for logs and --json.</summary>
        public required string Reason { get; init; }
    }

    /// <summary>
    /// Ask the user first. <see cref="Reason"/> says why; <see cref="Scopes"/> are the answers to offer ("once",
    /// "this session", "this project"); approving remembers <see cref="SuggestedRules"/> with the chosen scope.
    /// </summary>
    public sealed record AskUser : ApprovalDecision
    {
        /// <summary>Why approval is needed, shown in the prompt.</summary>
        public required string Reason { get; init; }

        /// <summary>The scopes the prompt offers.</summary>
        public required IReadOnlyList<ApprovalScope> Scopes { get; init; }

        /// <summary>The allow rules that approving this call would add (one per simple command not yet allowed).</summary>
        public required IReadOnlyList<ApprovalRule> SuggestedRules { get; init; }
    }

    /// <summary>Refuse the call; the reason goes back to the model.</summary>
    public sealed record Deny : ApprovalDecision
    {
        /// <summary>Why it is refused.</summary>
        public required string Reason { get; init; }
    }
}

/// <summary>A tool call as the model sent it, before it runs.</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="ArgumentsJson">The JSON arguments string.</param>
public sealed record ToolCall(string Name, string ArgumentsJson);
