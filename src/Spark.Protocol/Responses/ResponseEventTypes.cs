namespace Spark.Protocol.Responses;

/// <summary>The <c>type</c> of every Responses stream event Spark sends (the SSE <c>event:</c> name too).</summary>
public static class ResponseEventTypes
{
    /// <summary>The response exists (status in_progress or queued).</summary>
    public const string Created = "response.created";
    /// <summary>Generation started.</summary>
    public const string InProgress = "response.in_progress";
    /// <summary>Finished normally.</summary>
    public const string Completed = "response.completed";
    /// <summary>Stopped early (token limit, context).</summary>
    public const string Incomplete = "response.incomplete";
    /// <summary>Failed.</summary>
    public const string Failed = "response.failed";
    /// <summary>An output item began.</summary>
    public const string OutputItemAdded = "response.output_item.added";
    /// <summary>An output item is complete.</summary>
    public const string OutputItemDone = "response.output_item.done";
    /// <summary>A content part began.</summary>
    public const string ContentPartAdded = "response.content_part.added";
    /// <summary>A content part is complete.</summary>
    public const string ContentPartDone = "response.content_part.done";
    /// <summary>More text of an output_text part.</summary>
    public const string OutputTextDelta = "response.output_text.delta";
    /// <summary>An output_text part's full text.</summary>
    public const string OutputTextDone = "response.output_text.done";
    /// <summary>More of a function call's arguments.</summary>
    public const string FunctionCallArgumentsDelta = "response.function_call_arguments.delta";
    /// <summary>A function call's whole arguments.</summary>
    public const string FunctionCallArgumentsDone = "response.function_call_arguments.done";
    /// <summary>More of a custom tool call's input.</summary>
    public const string CustomToolCallInputDelta = "response.custom_tool_call_input.delta";
    /// <summary>A custom tool call's whole input.</summary>
    public const string CustomToolCallInputDone = "response.custom_tool_call_input.done";
    /// <summary>WebSocket: steering input was validated and queued (the server owns it now).</summary>
    public const string SteerAccepted = "response.steer.accepted";
    /// <summary>WebSocket: accepted steering input waits for the client's tool outputs.</summary>
    public const string SteerPending = "response.steer.pending";
    /// <summary>WebSocket: steering input could not be committed; it comes back to the client.</summary>
    public const string SteerFailed = "response.steer.failed";
    /// <summary>An error inside a running response, or (WebSocket) a refused request.</summary>
    public const string Error = "error";

    /// <summary><see cref="OutputTextDelta"/> as UTF-8, for the per-token writer.</summary>
    public static ReadOnlySpan<byte> OutputTextDeltaUtf8 => "response.output_text.delta"u8;

    /// <summary><see cref="FunctionCallArgumentsDelta"/> as UTF-8, for the per-token writer.</summary>
    public static ReadOnlySpan<byte> FunctionCallArgumentsDeltaUtf8 => "response.function_call_arguments.delta"u8;
}
