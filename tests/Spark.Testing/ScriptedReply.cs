using System.Buffers;
using System.Text;
using System.Text.Json;
using Spark.Protocol.Errors;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Protocol.Sse;

namespace Spark.Testing;

/// <summary>One scripted answer of <see cref="ScriptedResponsesServer"/>: a status, a content type and the exact body bytes.</summary>
public sealed record ScriptedReply(int Status, string ContentType, string Body)
{
    /// <summary>The id of the scripted response (null for error replies).</summary>
    public string? ResponseId { get; init; }

    /// <summary>How long the server waits before answering (a slow first token), so a test can act while the request is in flight.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>When true the server sends the body and then keeps the response open, silent, until the client leaves (a hung server).</summary>
    public bool HoldOpen { get; init; }

    /// <summary>A streamed response whose output is one assistant message, sent as word-sized deltas.</summary>
    public static ScriptedReply Text(string text, bool store = true, ResponseUsage? usage = null) =>
        Stream([new MessageItem { Id = "msg_" + Next(), Role = "assistant", Status = "completed", Content = [ContentPart.OutputText(text)] }], store, usage);

    /// <summary>A streamed response whose output is one function call.</summary>
    public static ScriptedReply Call(string callId, string name, string argumentsJson, bool store = true) =>
        Stream([new FunctionCallItem { Id = "fc_" + Next(), CallId = callId, Name = name, Arguments = argumentsJson, Status = "completed" }], store, null);

    /// <summary>A streamed response with these output items (messages are streamed as deltas first).</summary>
    public static ScriptedReply Stream(IReadOnlyList<ResponseItem> output, bool store = true, ResponseUsage? usage = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var sse = new SseWriter(buffer);
        var context = ProtocolJsonContext.Default;
        int seq = 0;
        var response = new ResponseObject
        {
            Id = "resp_" + Next(),
            CreatedAt = 1_700_000_000,
            Status = ResponseStatus.InProgress,
            Model = "scripted",
            Store = store,
        };
        sse.WriteEvent(ResponseEventTypes.Created, new ResponseLifecycleEvent(ResponseEventTypes.Created, seq++, response), context.ResponseLifecycleEvent);
        sse.WriteComment("heartbeat"u8);
        for (int i = 0; i < output.Count; i++)
        {
            var item = output[i];
            sse.WriteEvent(ResponseEventTypes.OutputItemAdded, new OutputItemEvent(ResponseEventTypes.OutputItemAdded, seq++, i, item), context.OutputItemEvent);
            if (item is MessageItem message)
            {
                string text = message.Text();
                for (int start = 0; start < text.Length;)
                {
                    int space = text.IndexOf(' ', start + 1);
                    int end = space < 0 ? text.Length : space;
                    sse.WriteEvent(ResponseEventTypes.OutputTextDelta, new OutputTextDeltaEvent(seq++, item.Id!, i, 0, text[start..end]), context.OutputTextDeltaEvent);
                    start = end;
                }
                sse.WriteEvent(ResponseEventTypes.OutputTextDone, new OutputTextDoneEvent(seq++, item.Id!, i, 0, text), context.OutputTextDoneEvent);
            }
            sse.WriteEvent(ResponseEventTypes.OutputItemDone, new OutputItemEvent(ResponseEventTypes.OutputItemDone, seq++, i, item), context.OutputItemEvent);
        }
        var done = response with { Status = ResponseStatus.Completed, Output = output, Usage = usage ?? ResponseUsage.Of(100, 40, 10) };
        sse.WriteEvent(ResponseEventTypes.Completed, new ResponseLifecycleEvent(ResponseEventTypes.Completed, seq, done), context.ResponseLifecycleEvent);
        return new ScriptedReply(200, "text/event-stream", Encoding.UTF8.GetString(buffer.WrittenSpan)) { ResponseId = response.Id };
    }

    /// <summary>
    /// Over the WebSocket: the text steering input turns this response into (<see cref="Steerable"/>); null for replies
    /// that ignore steering.
    /// </summary>
    public string? AfterSteer { get; init; }

    /// <summary>The text streamed before a steer arrives (<see cref="Steerable"/>).</summary>
    public string? BeforeSteer { get; init; }

    /// <summary>
    /// A response for steering tests (WebSocket only): it streams <paramref name="before"/> and then waits (up to 30 s)
    /// for <c>response.steer</c>. On a steer the server answers <c>response.steer.accepted</c>, ends this response
    /// <c>incomplete</c> (reason <c>steered</c>) and streams a successor whose text is <paramref name="after"/>; with
    /// no steer the response completes with <paramref name="before"/> alone.
    /// </summary>
    public static ScriptedReply Steerable(string before, string after) =>
        Unfinished(before) with { HoldOpen = false, BeforeSteer = before, AfterSteer = after };

    /// <summary>
    /// A response that streams <paramref name="text"/> and then stays open without ever completing (a model still
    /// writing), so a test can interrupt it mid-stream.
    /// </summary>
    public static ScriptedReply Unfinished(string text)
    {
        var full = Text(text);
        int end = full.Body.IndexOf("event: " + ResponseEventTypes.Completed, StringComparison.Ordinal);
        return full with { Body = full.Body[..end], HoldOpen = true };
    }

    /// <summary>A streamed response that fails with <paramref name="message"/> after it was created.</summary>
    public static ScriptedReply Failed(string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var sse = new SseWriter(buffer);
        var response = new ResponseObject { Id = "resp_" + Next(), CreatedAt = 1_700_000_000, Status = ResponseStatus.InProgress, Model = "scripted" };
        sse.WriteEvent(ResponseEventTypes.Created, new ResponseLifecycleEvent(ResponseEventTypes.Created, 0, response), ProtocolJsonContext.Default.ResponseLifecycleEvent);
        var failed = response with { Status = ResponseStatus.Failed, Error = new ResponseError("server_error", message) };
        sse.WriteEvent(ResponseEventTypes.Failed, new ResponseLifecycleEvent(ResponseEventTypes.Failed, 1, failed), ProtocolJsonContext.Default.ResponseLifecycleEvent);
        return new ScriptedReply(200, "text/event-stream", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>An OpenAI error body with an HTTP error status.</summary>
    public static ScriptedReply Error(int status, string message, string? code = null) =>
        new(status, "application/json", JsonSerializer.Serialize(
            new ErrorResponse(new ErrorBody(message, status >= 500 ? "server_error" : "invalid_request_error", null, code)),
            ProtocolJsonContext.Default.ErrorResponse));

    private static int _counter;
    private static string Next() => Interlocked.Increment(ref _counter).ToString("D4", null);
}
