namespace Spark.Agent.Client;

/// <summary>What became of steering input sent for a running response (WebSocket only).</summary>
public abstract record SteerUpdate;

/// <summary>The server queued the input (<c>response.steer.accepted</c>); the response stops at its next token.</summary>
/// <param name="SteerId">The server's id for the submission.</param>
/// <param name="ResponseId">The steered response.</param>
public sealed record SteerAccepted(string? SteerId, string ResponseId) : SteerUpdate;

/// <summary>The response had stopped for tool outputs: the input waits and goes in with them (<c>response.steer.pending</c>).</summary>
public sealed record SteerPending(string? SteerId, string ResponseId) : SteerUpdate;

/// <summary>The input was not committed (<c>response.steer.failed</c>), e.g. the response had already completed.</summary>
/// <param name="Code">The reason's code (<c>response_already_completed</c>, …).</param>
/// <param name="Message">The server's explanation.</param>
public sealed record SteerFailed(string Code, string Message) : SteerUpdate;

/// <summary>The steered response ended and its successor, which has the steering input, took over the stream.</summary>
/// <param name="SteeredId">The response that stopped (<c>incomplete</c>, reason <c>steered</c>).</param>
/// <param name="SuccessorId">The response whose text follows.</param>
public sealed record ResponseSteered(string SteeredId, string SuccessorId) : SteerUpdate;
