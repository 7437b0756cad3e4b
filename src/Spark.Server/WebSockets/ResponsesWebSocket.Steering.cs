using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Server.Responses;

namespace Spark.Server.WebSockets;

// response.steer: validated and queued on the running response (which then stops at the next token and is
// continued by a successor), queued until tool outputs arrive, or returned in response.steer.failed.
internal sealed partial class ResponsesWebSocket
{
    /// <summary>How much steering one response may have queued.</summary>
    private const int MaxPendingSteers = 16;

    private readonly Dictionary<string, List<AcceptedSteer>> _waitingForTools = new(StringComparer.Ordinal);

    private async Task SteerAsync(ResponseSteerRequest request)
    {
        string target = request.PreviousResponseId ?? "";
        var input = request.Input ?? default;
        if (target.Length == 0)
        {
            await SendSteerFailedAsync(null, null, target, input, SteerErrorCodes.InvalidInput, "Missing required parameter: 'previous_response_id' (the running response to steer).");
            return;
        }
        if (ValidateInput(input, out var items) is { } invalid)
        {
            await SendSteerFailedAsync(StreamIdOf(target), null, target, input, SteerErrorCodes.InvalidInput, invalid);
            return;
        }

        AcceptedSteer? accepted = null;
        string? streamId = null;
        string? failure = null, failureMessage = null;
        FinishedResponse? waiting = null;
        ResponseControl? stop = null;
        lock (_state)
        {
            // Ended: its terminal event is out and the connection remembers it as finished (see the lane's persist step)
            if (_running.TryGetValue(target, out var active) && !active.Closed && active.Ended is null)
            {
                streamId = active.StreamId;
                if (active.Steers.Count >= MaxPendingSteers)
                {
                    (failure, failureMessage) = (SteerErrorCodes.TooManyPendingSteers, $"Response '{target}' already has {MaxPendingSteers} steering inputs queued.");
                }
                else
                {
                    accepted = new AcceptedSteer(Ids.New("steer"), target, input.Clone(), items);
                    active.Steers.Add(accepted);
                    stop = active.Control;
                }
            }
            else if (_finished.TryGetValue(target, out var finished))
            {
                streamId = finished.StreamId;
                if (finished.PendingCalls.Count > 0 && finished.Stored.Response.Status == ResponseStatus.Completed)
                {
                    accepted = new AcceptedSteer(Ids.New("steer"), target, input.Clone(), items);
                    if (!_waitingForTools.TryGetValue(target, out var queue)) _waitingForTools[target] = queue = [];
                    queue.Add(accepted);
                    waiting = finished;
                }
                else
                {
                    (failure, failureMessage) = (SteerErrorCodes.ResponseAlreadyCompleted, $"Response '{target}' already ended ({finished.Stored.Response.Status}); send the input in a new response.create with previous_response_id '{target}'.");
                }
            }
            else
            {
                (failure, failureMessage) = (SteerErrorCodes.ResponseNotFound, $"No response '{target}' runs or ran on this connection; steering targets a response created on the same WebSocket.");
            }
        }

        if (accepted is null)
        {
            await SendSteerFailedAsync(streamId, null, target, input, failure!, failureMessage!);
            return;
        }
        try
        {
            await SendOnceAsync(streamId, sink => sink.Write(new SteerAcceptedEvent(NextControlSequence(), new SteerReference(accepted.Id, target))));
            if (waiting is not null) await SendSteerPendingAsync(streamId, accepted, waiting.PendingCalls);
        }
        finally
        {
            accepted.MarkAcknowledged();
        }
        stop?.TryStop(StopReason.Steered); // after the acknowledgement: the engine stops at the next token, the lane starts the successor
    }

    /// <summary>Null when <paramref name="input"/> is a string or a non-empty list of user messages, else what is wrong.</summary>
    private static string? ValidateInput(JsonElement input, out IReadOnlyList<ResponseItem> items)
    {
        items = [];
        if (input.ValueKind == JsonValueKind.Undefined) return "Missing required parameter: 'input' (a string or a list of user messages).";
        if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() == 0) return "'input' is an empty list; send a string or at least one user message.";
        if (input.ValueKind is not (JsonValueKind.String or JsonValueKind.Array)) return "'input' must be a string or a list of user messages.";
        ResponseInput parsed;
        try
        {
            parsed = input.Deserialize(ProtocolJsonContext.Default.ResponseInput)!;
        }
        catch (JsonException e)
        {
            return $"Invalid 'input': {e.Message.Split(" Path:")[0]}";
        }
        for (int i = 0; i < parsed.Items.Count; i++)
            if (parsed.Items[i] is not MessageItem { Role: "user" })
                return $"input[{i}] is a {parsed.Items[i].Type}{(parsed.Items[i] is MessageItem m ? $" with role '{m.Role}'" : "")}; steering accepts only user messages.";
        items = parsed.Items;
        return null;
    }

    private string? StreamIdOf(string responseId)
    {
        lock (_state)
        {
            if (_running.TryGetValue(responseId, out var active)) return active.StreamId;
            if (_finished.TryGetValue(responseId, out var finished)) return finished.StreamId;
        }
        return null;
    }

    private void QueueUntilToolOutputs(string responseId, List<AcceptedSteer> steers)
    {
        lock (_state)
        {
            if (!_waitingForTools.TryGetValue(responseId, out var queue)) _waitingForTools[responseId] = queue = [];
            queue.InsertRange(0, steers); // accepted while it ran: before any that came once it had ended
        }
    }

    /// <summary>The steering input queued for <paramref name="responseId"/>'s tool outputs, in submission order (now committed).</summary>
    private List<ResponseItem> TakeWaitingSteers(string responseId)
    {
        lock (_state)
        {
            if (!_waitingForTools.Remove(responseId, out var queue)) return [];
            return queue.SelectMany(s => s.Items).ToList();
        }
    }

    private Task SendSteerPendingAsync(string? streamId, AcceptedSteer steer, IReadOnlyList<SteerRequiredInput> required) =>
        SendOnceAsync(streamId, sink => sink.Write(new SteerPendingEvent(NextControlSequence(), SteerPendingEvent.WaitingForRequiredInput, required, new SteerReference(steer.Id, steer.ResponseId))));

    private Task SendSteerFailedAsync(string? streamId, string? steerId, string target, JsonElement input, string code, string message) =>
        SendOnceAsync(streamId, sink => sink.Write(new SteerFailedEvent(NextControlSequence(), new SteerFailure(code, message),
            new FailedSteer(steerId, target, input.ValueKind == JsonValueKind.Undefined ? default : input))));
}
