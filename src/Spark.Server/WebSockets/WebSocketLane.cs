using Spark.Protocol.Responses;
using Spark.Server.Responses;
using Spark.Server.Storage;

namespace Spark.Server.WebSockets;

/// <summary>
/// A <c>stream_id</c> lane of a WebSocket connection (no <c>stream_id</c>: the default lane): its requests run one
/// after another, each chained after <see cref="Tail"/>; its events carry its <c>stream_id</c>. Guarded by the
/// connection's state lock.
/// </summary>
internal sealed class WebSocketLane(string key, string? streamId, WebSocketEventSink sink)
{
    public string Key { get; } = key;
    public string? StreamId { get; } = streamId;
    public WebSocketEventSink Sink { get; } = sink;

    /// <summary>Requests queued or running in the lane; the lane counts against the connection's limit while above 0.</summary>
    public int Pending { get; set; }

    /// <summary>The last queued request's work; never faults.</summary>
    public Task Tail { get; set; } = Task.CompletedTask;
}

/// <summary>A response generating on the connection and the steering input accepted for it.</summary>
internal sealed class ActiveResponse(ResponseControl control, string? streamId)
{
    public ResponseControl Control { get; } = control;
    public string? StreamId { get; } = streamId;
    public List<AcceptedSteer> Steers { get; } = [];

    /// <summary>Set when the runner returned: later steering goes to the finished response.</summary>
    public bool Closed { get; set; }

    /// <summary>
    /// The final response, set (and remembered as finished) just before its terminal event goes out: a client that saw
    /// that event may steer at once, while the runner is still returning, and must hear that the response ended.
    /// </summary>
    public ResponseObject? Ended { get; set; }
}

/// <summary>Steering input the server owns: its id, the input as sent (returned on failure) and its items.</summary>
internal sealed record AcceptedSteer(string Id, string ResponseId, System.Text.Json.JsonElement Input, IReadOnlyList<ResponseItem> Items)
{
    private readonly TaskCompletionSource _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once <c>response.steer.accepted</c> was sent: whatever the steering causes comes after it.</summary>
    public Task Acknowledged => _acknowledged.Task;

    public void MarkAcknowledged() => _acknowledged.TrySetResult();
}

/// <summary>A finished response the connection remembers for <c>previous_response_id</c> and late steering.</summary>
internal sealed record FinishedResponse(StoredResponse Stored, string? StreamId)
{
    /// <summary>The outputs of the tool calls it stopped for (steering then waits for them).</summary>
    public IReadOnlyList<SteerRequiredInput> PendingCalls { get; } = RequiredToolOutputs.Of(Stored.Response.Output);
}

/// <summary>The outputs a response's tool calls wait for: a <c>function_call_output</c> per function call, a <c>custom_tool_call_output</c> per custom tool call.</summary>
internal static class RequiredToolOutputs
{
    public static List<SteerRequiredInput> Of(IReadOnlyList<ResponseItem> output)
    {
        var required = new List<SteerRequiredInput>();
        foreach (var item in output)
        {
            if (item is FunctionCallItem call) required.Add(new SteerRequiredInput(ResponseItemTypes.FunctionCallOutput, call.CallId, call.Name));
            else if (item is CustomToolCallItem custom) required.Add(new SteerRequiredInput(ResponseItemTypes.CustomToolCallOutput, custom.CallId, custom.Name));
        }
        return required;
    }
}
