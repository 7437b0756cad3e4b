namespace Spark.Protocol.Responses;

/// <summary>
/// A Responses stream event. Each carries its <c>type</c> and a <c>sequence_number</c> that increases by one per event
/// of a response, starting at 0.
/// </summary>
public abstract record ResponseStreamEvent(
    [property: System.Text.Json.Serialization.JsonPropertyOrder(-2)] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(-1)] int SequenceNumber);

/// <summary><c>response.created</c>, <c>.in_progress</c>, <c>.completed</c>, <c>.incomplete</c>, <c>.failed</c>: the whole response.</summary>
public sealed record ResponseLifecycleEvent(string Type, int SequenceNumber, ResponseObject Response)
    : ResponseStreamEvent(Type, SequenceNumber);

/// <summary><c>response.output_item.added</c> / <c>.done</c>.</summary>
public sealed record OutputItemEvent(string Type, int SequenceNumber, int OutputIndex, ResponseItem Item)
    : ResponseStreamEvent(Type, SequenceNumber);

/// <summary><c>response.content_part.added</c> / <c>.done</c>.</summary>
public sealed record ContentPartEvent(string Type, int SequenceNumber, string ItemId, int OutputIndex, int ContentIndex, ContentPart Part)
    : ResponseStreamEvent(Type, SequenceNumber);

/// <summary><c>response.output_text.delta</c>; on the hot path it is written by <see cref="ResponseEventJson.WriteOutputTextDelta"/>.</summary>
public sealed record OutputTextDeltaEvent(int SequenceNumber, string ItemId, int OutputIndex, int ContentIndex, string Delta)
    : ResponseStreamEvent(ResponseEventTypes.OutputTextDelta, SequenceNumber)
{
    /// <summary>Token log-probabilities (Spark sends none).</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> Logprobs { get; init; } = [];
}

/// <summary><c>response.output_text.done</c>: the part's whole text.</summary>
public sealed record OutputTextDoneEvent(int SequenceNumber, string ItemId, int OutputIndex, int ContentIndex, string Text)
    : ResponseStreamEvent(ResponseEventTypes.OutputTextDone, SequenceNumber)
{
    /// <summary>Token log-probabilities (Spark sends none).</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> Logprobs { get; init; } = [];
}

/// <summary><c>response.function_call_arguments.delta</c>: more of a function call's arguments.</summary>
public sealed record FunctionCallArgumentsDeltaEvent(int SequenceNumber, string ItemId, int OutputIndex, string Delta)
    : ResponseStreamEvent(ResponseEventTypes.FunctionCallArgumentsDelta, SequenceNumber);

/// <summary><c>response.function_call_arguments.done</c>: a function call's whole arguments.</summary>
public sealed record FunctionCallArgumentsDoneEvent(int SequenceNumber, string ItemId, int OutputIndex, string Name, string Arguments)
    : ResponseStreamEvent(ResponseEventTypes.FunctionCallArgumentsDone, SequenceNumber);

/// <summary><c>response.custom_tool_call_input.delta</c>: more of a custom tool call's input.</summary>
public sealed record CustomToolCallInputDeltaEvent(int SequenceNumber, string ItemId, int OutputIndex, string Delta)
    : ResponseStreamEvent(ResponseEventTypes.CustomToolCallInputDelta, SequenceNumber);

/// <summary><c>response.custom_tool_call_input.done</c>: a custom tool call's whole input.</summary>
public sealed record CustomToolCallInputDoneEvent(int SequenceNumber, string ItemId, int OutputIndex, string Input)
    : ResponseStreamEvent(ResponseEventTypes.CustomToolCallInputDone, SequenceNumber);

/// <summary>The <c>error</c> event: a failure inside a running response.</summary>
public sealed record ResponseErrorEvent(
    int SequenceNumber,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Code,
    string Message,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Param)
    : ResponseStreamEvent(ResponseEventTypes.Error, SequenceNumber);
