namespace Spark.Agent.Loop;

/// <summary>
/// What the agent reports while it works. The loop never writes to the console: the exec renderer, the JSONL
/// renderer and (later) the TUI are views of this one stream.
/// </summary>
public abstract record AgentEvent;

/// <summary>A user turn began.</summary>
/// <param name="TurnId">The turn's id within the session (1, 2, …).</param>
/// <param name="Prompt">The user's text.</param>
public sealed record TurnStarted(int TurnId, string Prompt) : AgentEvent;

/// <summary>More of the model's answer text.</summary>
public sealed record TextDelta(string Delta) : AgentEvent;

/// <summary>The model called a tool; it is about to be judged by the policy and run.</summary>
public sealed record ToolCallRequested(string CallId, string Name, string Arguments) : AgentEvent;

/// <summary>A tool call finished (or was not run): <see cref="Output"/> is what the model sees.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Name">The tool.</param>
/// <param name="Output">The text returned to the model.</param>
/// <param name="IsError">True when the call failed or was not run.</param>
/// <param name="Approval"><c>allowed</c>, <c>denied</c> or <c>not_approved</c> (needed approval nobody could give).</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="FileChanges">The files an apply_patch call changed, each with its unified diff (empty otherwise).</param>
public sealed record ToolCallFinished(string CallId, string Name, string Output, bool IsError, string Approval, TimeSpan Duration,
    IReadOnlyList<Tools.FileChange>? FileChanges = null) : AgentEvent;

/// <summary>One model request of the turn finished (its tokens and clock readings, for a status line).</summary>
/// <param name="InputTokens">Prompt tokens of this request: the context the model saw.</param>
/// <param name="CachedTokens">Of those, how many the server had cached.</param>
/// <param name="OutputTokens">Tokens it generated.</param>
/// <param name="TimeToFirstOutput">Prefill: the server's own when it reported it (<c>usage.spark_timing</c>), else from sending to the first output.</param>
/// <param name="Total">Prefill plus generation.</param>
public sealed record ModelRequestCompleted(int InputTokens, int CachedTokens, int OutputTokens, TimeSpan TimeToFirstOutput, TimeSpan Total) : AgentEvent
{
    /// <summary>
    /// Generated tokens per second after the first output, or null when too little was generated, or it arrived too
    /// much at once (under 0.1 s after the first output), to say.
    /// </summary>
    public double? TokensPerSecond => OutputTokens > 1 && Total - TimeToFirstOutput >= TimeSpan.FromMilliseconds(100)
        ? (OutputTokens - 1) / (Total - TimeToFirstOutput).TotalSeconds
        : null;
}

/// <summary>
/// Steering input the loop held (no response was streaming: a tool was running, or the transport is HTTP) went into
/// the history before the turn's next model request: it is applied.
/// </summary>
public sealed record SteerInjected(string Text) : AgentEvent;

/// <summary>Steering input arrived too late: its turn ended before any further model request could take it. It was not sent.</summary>
public sealed record SteerTooLate(string Text) : AgentEvent;

/// <summary>
/// The turn was interrupted by the user (its cancellation token): the stream stopped, running tools were killed. The
/// partial answer and a <c>&lt;turn_aborted&gt;</c> note are in the history, so the model knows on the next turn.
/// </summary>
/// <param name="TurnId">The turn.</param>
/// <param name="PartialText">The answer text streamed before the interrupt (may be empty).</param>
public sealed record TurnAborted(int TurnId, string PartialText) : AgentEvent;

/// <summary>A notice for the user (e.g. no sandbox available), shown once.</summary>
public sealed record AgentNotice(string Message) : AgentEvent;

/// <summary>
/// Steering input sent with <see cref="AgentLoop.SteerAsync"/> was accepted, is pending, failed, or the steered
/// response handed over to its successor (whose text follows in <see cref="TextDelta"/>s).
/// </summary>
public sealed record SteerUpdated(Client.SteerUpdate Update) : AgentEvent;

/// <summary>The turn ended with an answer and no further tool calls.</summary>
/// <param name="TurnId">The turn.</param>
/// <param name="FinalText">The model's last answer.</param>
/// <param name="ModelRequests">How many model requests the turn took.</param>
/// <param name="ToolCalls">How many tool calls it made.</param>
/// <param name="Usage">Tokens over all its requests.</param>
/// <param name="Timing">Where its time went.</param>
/// <param name="Incomplete">Why the last response stopped early (e.g. <c>max_output_tokens</c>), or null.</param>
public sealed record TurnCompleted(int TurnId, string FinalText, int ModelRequests, int ToolCalls, TurnUsage Usage, TurnTiming Timing, string? Incomplete) : AgentEvent;

/// <summary>Tokens of a turn, summed over its model requests.</summary>
public sealed record TurnUsage(int InputTokens, int CachedTokens, int OutputTokens)
{
    /// <summary>Input plus output.</summary>
    public int TotalTokens => InputTokens + OutputTokens;
}

/// <summary>
/// A turn's duration split the way an agent's time is accounted: prompt processing, token generation, tool
/// execution and the rest (network, JSON, session writes). <see cref="Source"/> says where prefill/generation came
/// from: <c>server</c> when every model request carried the server's engine time (Spark's <c>usage.spark_timing</c>),
/// so the network and queueing are in <see cref="Overhead"/>; <c>client</c> means the client's clocks only (time to
/// first output vs the rest of the stream, so prefill includes the network round trip).
/// </summary>
public sealed record TurnTiming(TimeSpan Total, TimeSpan Prefill, TimeSpan Generation, TimeSpan Tools, TimeSpan Overhead, string Source);
