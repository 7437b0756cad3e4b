using System.Text.Json;
using Spark.Protocol.Json;

namespace Spark.Protocol.Responses;

/// <summary>
/// The client side of the Responses stream: turns one event's JSON data into the typed event records the server
/// writes. Events a client does not need (content parts, text done, other tools' deltas) come back as
/// <see cref="OtherStreamEvent"/> with their type, so nothing fails on a newer server.
/// </summary>
public static class ResponseStreamEventParser
{
    /// <summary>Parses one event's data.</summary>
    /// <exception cref="JsonException">The data is not a JSON object with a string <c>type</c>, or a known event is malformed.</exception>
    public static ResponseStreamEvent Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            throw new JsonException($"a Responses stream event must be a JSON object with a string \"type\"; got: {Shorten(json)}");
        string type = typeElement.GetString()!;
        var context = ProtocolJsonContext.Default;
        try
        {
            ResponseStreamEvent? parsed = type switch
            {
                ResponseEventTypes.OutputTextDelta => root.Deserialize(context.OutputTextDeltaEvent),
                ResponseEventTypes.OutputItemAdded or ResponseEventTypes.OutputItemDone => root.Deserialize(context.OutputItemEvent),
                ResponseEventTypes.Created or ResponseEventTypes.InProgress or ResponseEventTypes.Completed
                    or ResponseEventTypes.Incomplete or ResponseEventTypes.Failed => root.Deserialize(context.ResponseLifecycleEvent),
                // WebSocket mode's refused request nests the error ({type, status, error:{…}}); SSE's is flat
                ResponseEventTypes.Error when root.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object =>
                    FromWebSocketError(root.Deserialize(context.WebSocketErrorEvent)!),
                ResponseEventTypes.Error => root.Deserialize(context.ResponseErrorEvent),
                ResponseEventTypes.SteerAccepted => root.Deserialize(context.SteerAcceptedEvent),
                ResponseEventTypes.SteerFailed => root.Deserialize(context.SteerFailedEvent),
                ResponseEventTypes.SteerPending => root.Deserialize(context.SteerPendingEvent),
                _ => new OtherStreamEvent(type, root.TryGetProperty("sequence_number", out var n) && n.TryGetInt32(out int s) ? s : -1),
            };
            return parsed ?? throw new JsonException($"the '{type}' event is null");
        }
        catch (JsonException e)
        {
            throw new JsonException($"malformed '{type}' event ({e.Message}): {Shorten(json)}", e);
        }
    }

    private static ResponseErrorEvent FromWebSocketError(WebSocketErrorEvent e) =>
        new(-1, e.Error.Code, e.Error.Message ?? $"the server refused the request ({e.Status})", e.Error.Param);

    private static string Shorten(string json) => json.Length <= 200 ? json : json[..200] + "…";
}

/// <summary>A stream event the client does not interpret, kept by its type.</summary>
public sealed record OtherStreamEvent(string Type, int SequenceNumber) : ResponseStreamEvent(Type, SequenceNumber);
