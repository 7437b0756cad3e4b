using System.Text.Json;

namespace Spark.Protocol.Responses;

/// <summary>
/// Writes the per-token Responses event straight to a <see cref="Utf8JsonWriter"/> with pre-encoded property names:
/// the same JSON as serializing an <see cref="OutputTextDeltaEvent"/>, without allocating.
/// </summary>
public static class ResponseEventJson
{
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText DeltaType = JsonEncodedText.Encode(ResponseEventTypes.OutputTextDelta);
    private static readonly JsonEncodedText SequenceNumber = JsonEncodedText.Encode("sequence_number");
    private static readonly JsonEncodedText ItemId = JsonEncodedText.Encode("item_id");
    private static readonly JsonEncodedText OutputIndex = JsonEncodedText.Encode("output_index");
    private static readonly JsonEncodedText ContentIndex = JsonEncodedText.Encode("content_index");
    private static readonly JsonEncodedText Delta = JsonEncodedText.Encode("delta");
    private static readonly JsonEncodedText Logprobs = JsonEncodedText.Encode("logprobs");
    private static readonly JsonEncodedText ArgumentsDeltaType = JsonEncodedText.Encode(ResponseEventTypes.FunctionCallArgumentsDelta);

    /// <summary>Writes a <c>response.function_call_arguments.delta</c> event object (as a <see cref="FunctionCallArgumentsDeltaEvent"/>).</summary>
    public static void WriteFunctionCallArgumentsDelta(Utf8JsonWriter json, int sequenceNumber, string itemId, int outputIndex, ReadOnlySpan<char> delta)
    {
        json.WriteStartObject();
        json.WriteString(Type, ArgumentsDeltaType);
        json.WriteNumber(SequenceNumber, sequenceNumber);
        json.WriteString(ItemId, itemId);
        json.WriteNumber(OutputIndex, outputIndex);
        json.WriteString(Delta, delta);
        json.WriteEndObject();
    }

    /// <summary>
    /// Writes any Responses event as its JSON object: the one encoding that SSE (as <c>data:</c>) and WebSocket mode
    /// (one text message per event) share.
    /// </summary>
    public static void Write(Utf8JsonWriter json, ResponseStreamEvent streamEvent)
    {
        var context = Json.ProtocolJsonContext.Default;
        switch (streamEvent)
        {
            case ResponseLifecycleEvent e: JsonSerializer.Serialize(json, e, context.ResponseLifecycleEvent); break;
            case OutputItemEvent e: JsonSerializer.Serialize(json, e, context.OutputItemEvent); break;
            case ContentPartEvent e: JsonSerializer.Serialize(json, e, context.ContentPartEvent); break;
            case OutputTextDeltaEvent e: WriteOutputTextDelta(json, e.SequenceNumber, e.ItemId, e.OutputIndex, e.ContentIndex, e.Delta); break;
            case OutputTextDoneEvent e: JsonSerializer.Serialize(json, e, context.OutputTextDoneEvent); break;
            case FunctionCallArgumentsDeltaEvent e: WriteFunctionCallArgumentsDelta(json, e.SequenceNumber, e.ItemId, e.OutputIndex, e.Delta); break;
            case FunctionCallArgumentsDoneEvent e: JsonSerializer.Serialize(json, e, context.FunctionCallArgumentsDoneEvent); break;
            case CustomToolCallInputDeltaEvent e: JsonSerializer.Serialize(json, e, context.CustomToolCallInputDeltaEvent); break;
            case CustomToolCallInputDoneEvent e: JsonSerializer.Serialize(json, e, context.CustomToolCallInputDoneEvent); break;
            case ResponseErrorEvent e: JsonSerializer.Serialize(json, e, context.ResponseErrorEvent); break;
            case SteerAcceptedEvent e: JsonSerializer.Serialize(json, e, context.SteerAcceptedEvent); break;
            case SteerPendingEvent e: JsonSerializer.Serialize(json, e, context.SteerPendingEvent); break;
            case SteerFailedEvent e: JsonSerializer.Serialize(json, e, context.SteerFailedEvent); break;
            default: throw new NotSupportedException($"no JSON encoding for {streamEvent.GetType().Name}");
        }
    }

    /// <summary>Writes a <c>response.output_text.delta</c> event object.</summary>
    public static void WriteOutputTextDelta(Utf8JsonWriter json, int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta)
    {
        json.WriteStartObject();
        json.WriteString(Type, DeltaType);
        json.WriteNumber(SequenceNumber, sequenceNumber);
        json.WriteString(ItemId, itemId);
        json.WriteNumber(OutputIndex, outputIndex);
        json.WriteNumber(ContentIndex, contentIndex);
        json.WriteString(Delta, delta);
        json.WriteStartArray(Logprobs);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
