using System.Text.Json;
using System.Text.Json.Serialization;

namespace Spark.Protocol.Responses;

/// <summary>
/// The WebSocket client event <c>response.steer</c>: user input for the running response
/// <see cref="PreviousResponseId"/> on this connection. <see cref="Input"/> is kept as sent so a
/// <c>response.steer.failed</c> can return it unchanged.
/// </summary>
public sealed record ResponseSteerRequest
{
    /// <summary>The response to steer.</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>A string or a non-empty list of user messages.</summary>
    public JsonElement? Input { get; init; }
}

/// <summary>Names a steering submission and the response it targets.</summary>
/// <param name="Id">The id Spark gave the submission (<c>steer_…</c>); null when it was refused before one was allocated.</param>
/// <param name="PreviousResponseId">The steered response.</param>
public sealed record SteerReference(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    string PreviousResponseId);

/// <summary><c>response.steer.accepted</c>: the input is queued; the successor's <c>response.created</c> commits it.</summary>
public sealed record SteerAcceptedEvent(int SequenceNumber, SteerReference Steer)
    : ResponseStreamEvent(ResponseEventTypes.SteerAccepted, SequenceNumber);

/// <summary>
/// <c>response.steer.pending</c>: the steered response stopped for the client's tool outputs; the input stays queued
/// and is prepended to the next <c>response.create</c> continuing that response.
/// </summary>
public sealed record SteerPendingEvent(int SequenceNumber, string Reason, IReadOnlyList<SteerRequiredInput> RequiredInput, SteerReference Steer)
    : ResponseStreamEvent(ResponseEventTypes.SteerPending, SequenceNumber)
{
    /// <summary>The only reason Spark gives: the response waits for tool outputs.</summary>
    public const string WaitingForRequiredInput = "waiting_for_required_input";
}

/// <summary>A stub of a tool output the client owes: <c>{type:"function_call_output", call_id, name}</c>.</summary>
public sealed record SteerRequiredInput(string Type, string CallId, string Name);

/// <summary><c>response.steer.failed</c>: the input, returned as sent, and why it was not committed.</summary>
public sealed record SteerFailedEvent(int SequenceNumber, SteerFailure Error, FailedSteer Steer)
    : ResponseStreamEvent(ResponseEventTypes.SteerFailed, SequenceNumber);

/// <summary>Why steering input was not committed; <see cref="Code"/> is one of <see cref="SteerErrorCodes"/>.</summary>
public sealed record SteerFailure(string Code, string Message)
{
    /// <summary>Always <c>invalid_request_error</c>.</summary>
    public string Type => "invalid_request_error";
}

/// <summary>The submission a <see cref="SteerFailedEvent"/> returns.</summary>
/// <param name="Id">The submission id, when one was allocated.</param>
/// <param name="PreviousResponseId">The targeted response.</param>
/// <param name="Input">The input as the client sent it.</param>
public sealed record FailedSteer(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    string PreviousResponseId,
    JsonElement Input);

/// <summary>The <c>error.code</c> values of <c>response.steer.failed</c> Spark sends.</summary>
public static class SteerErrorCodes
{
    /// <summary>No response with that id on this connection.</summary>
    public const string ResponseNotFound = "response_not_found";
    /// <summary>The event or its input failed validation.</summary>
    public const string InvalidInput = "invalid_input";
    /// <summary>The response already completed.</summary>
    public const string ResponseAlreadyCompleted = "response_already_completed";
    /// <summary>The response ended without a successor (failed or cancelled).</summary>
    public const string ResponseNotActive = "response_not_active";
    /// <summary>Too much input is already queued for the response.</summary>
    public const string TooManyPendingSteers = "too_many_pending_steers";
    /// <summary>The successor could not be started (e.g. it no longer fits the context).</summary>
    public const string SuccessorCreationFailed = "successor_creation_failed";
}

/// <summary>
/// WebSocket mode's refused request: <c>{type:"error", status, error:{type, code, message, param}}</c> — nothing was
/// started (unknown <c>previous_response_id</c>, lane limit, malformed frame, bad field).
/// </summary>
public sealed record WebSocketErrorEvent(int Status, Errors.ErrorBody Error)
{
    /// <summary>Always <c>error</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Type => ResponseEventTypes.Error;
}
