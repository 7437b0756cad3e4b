using System.Text;
using System.Text.Json;
using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Tools;

namespace Spark.Server.Responses;

/// <summary>
/// Drives one response: reads a backend's generation and emits the Responses event sequence with increasing
/// <c>sequence_number</c> (created, in_progress, the output items with their deltas and done events, then
/// completed / incomplete / failed with usage), returning the final response object. With tools offered, the text
/// goes through a <see cref="ToolCallParser"/>: text becomes a message item (opened at the first non-blank text),
/// each call a <c>function_call</c> (or <c>custom_tool_call</c>) item with its argument delta and done events.
/// The same runner serves SSE, non-streaming requests and WebSocket mode through its sink. A generation stopped
/// through its <see cref="ResponseControl"/> ends <c>cancelled</c>, or <c>incomplete</c> (<c>steered</c>).
/// </summary>
internal sealed class ResponseRunner(ResponseObject shell, IGeneration generation, IResponseEventSink sink, TimeSpan heartbeatInterval = default,
    ResponseControl? control = null, ToolOptions? tools = null)
    : IToolCallListener
{
    private readonly List<ResponseItem> _output = [];
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _blank = new(); // whitespace before any message text: a message only if text follows
    private readonly ToolCallParser? _parser = tools is { Active: true } t && !generation.ReportsToolCalls ? new ToolCallParser(name => t.Find(name) is not null, streamArguments: t.Constrained) : null;
    private string? _callId, _callItemId;
    private int _callIndex;
    private bool _callCustom;
    private int _sequence;
    private string? _messageId;
    private int _messageIndex;

    /// <summary>The generation's outcome, once <see cref="RunAsync"/> has returned.</summary>
    public GenerationOutcome? Outcome { get; private set; }

    /// <summary>
    /// The response as its terminal event states it, set just before that event is written: a client that hangs up
    /// the moment it reads the event can make the last flush throw, and the server still knows how the response ended.
    /// </summary>
    public ResponseObject? Final { get; private set; }

    /// <summary>The output items written.</summary>
    public IReadOnlyList<ResponseItem> Output => _output;

    /// <summary>The last message item written, if any.</summary>
    public MessageItem? Message
    {
        get
        {
            for (int i = _output.Count - 1; i >= 0; i--)
                if (_output[i] is MessageItem m) return m;
            return null;
        }
    }

    public async Task<ResponseObject> RunAsync(CancellationToken cancellationToken)
    {
        var running = shell with { Status = ResponseStatus.InProgress };
        sink.Write(new ResponseLifecycleEvent(ResponseEventTypes.Created, _sequence++, running));
        sink.Write(new ResponseLifecycleEvent(ResponseEventTypes.InProgress, _sequence++, running));
        if (tools is not { Active: true }) OpenMessage();
        await sink.FlushAsync(cancellationToken);

        GenerationOutcome outcome;
        var step = await Heartbeats.FirstStepAsync(generation, heartbeatInterval, Beat, cancellationToken);
        while (true)
        {
            if (step.Kind == GenerationStepKind.Finished)
            {
                outcome = step.Outcome!;
                break;
            }
            GenerationSteps.Dispatch(step, _parser, this);
            await sink.FlushAsync(cancellationToken);
            step = await generation.NextAsync(cancellationToken);
        }
        Outcome = outcome;
        _parser?.Finish(this);
        if (_messageId is null && _output.Count == 0) OpenMessage(); // an empty answer is still a message
        CloseMessage(outcome.Reason == FinishReason.Stop ? ResponseStatus.Completed : ResponseStatus.Incomplete);

        var final = running with
        {
            Model = outcome.Model ?? running.Model,
            Metadata = outcome.Escalation is { } escalation ? new Dictionary<string, string>(running.Metadata) { ["spark_escalated"] = escalation } : running.Metadata,
            Output = [.. _output],
            Usage = ResponseUsage.Of(outcome.PromptTokens, outcome.CachedTokens, outcome.OutputTokens) with { SparkTiming = outcome.Timing },
        };
        (final, string eventType) = outcome.Reason switch
        {
            FinishReason.Stop => (final with { Status = ResponseStatus.Completed }, ResponseEventTypes.Completed),
            FinishReason.MaxOutputTokens => (final with { Status = ResponseStatus.Incomplete, IncompleteDetails = new IncompleteDetails(IncompleteDetails.MaxOutputTokens) }, ResponseEventTypes.Incomplete),
            FinishReason.ContextLength => (final with { Status = ResponseStatus.Incomplete, IncompleteDetails = new IncompleteDetails(IncompleteDetails.ContextLength) }, ResponseEventTypes.Incomplete),
            FinishReason.Cancelled when control?.Reason == StopReason.Steered => (final with { Status = ResponseStatus.Incomplete, IncompleteDetails = new IncompleteDetails(IncompleteDetails.Steered) }, ResponseEventTypes.Incomplete),
            FinishReason.Cancelled => (final with { Status = ResponseStatus.Cancelled }, ResponseEventTypes.Failed),
            _ => (final with { Status = ResponseStatus.Failed, Error = new ResponseError("server_error", $"generation failed: {outcome.Error?.Message}") }, ResponseEventTypes.Failed),
        };
        Final = final;
        sink.Write(new ResponseLifecycleEvent(eventType, _sequence++, final));
        await sink.FlushAsync(cancellationToken);
        return final;
    }

    public void OnText(ReadOnlySpan<char> text)
    {
        if (_messageId is null)
        {
            if (text.IsWhiteSpace())
            {
                _blank.Append(text);
                return;
            }
            OpenMessage();
            if (_blank.Length > 0)
            {
                string blank = _blank.ToString();
                _blank.Clear();
                _text.Append(blank);
                sink.WriteTextDelta(_sequence++, _messageId!, _messageIndex, 0, blank);
            }
        }
        _text.Append(text);
        sink.WriteTextDelta(_sequence++, _messageId!, _messageIndex, 0, text);
    }

    public void OnToolCallStart(string name)
    {
        CloseMessage(ResponseStatus.Completed);
        _blank.Clear();
        _callIndex = _output.Count;
        _callId = Ids.New("call");
        _callCustom = tools?.Find(name) is { IsCustom: true };
        _callItemId = Ids.New(_callCustom ? "ctc" : "fc");
        _output.Add(null!); // the call's slot, filled when it is complete
        ResponseItem added = _callCustom
            ? new CustomToolCallItem { Id = _callItemId, CallId = _callId, Name = name, Input = "", Status = ResponseStatus.InProgress }
            : new FunctionCallItem { Id = _callItemId, CallId = _callId, Name = name, Arguments = "", Status = ResponseStatus.InProgress };
        sink.Write(new OutputItemEvent(ResponseEventTypes.OutputItemAdded, _sequence++, _callIndex, added));
    }

    public void OnToolCallArguments(ReadOnlySpan<char> delta)
    {
        // a custom tool's input is only known once its arguments object is whole; it is sent with the end
        if (!_callCustom) sink.WriteArgumentsDelta(_sequence++, _callItemId!, _callIndex, delta);
    }

    public void OnToolCall(string name, string arguments)
    {
        string status = ValidJson(arguments) ? ResponseStatus.Completed : ResponseStatus.Incomplete; // cut off by a limit
        ResponseItem item;
        if (_callCustom)
        {
            string input = CustomInput(arguments);
            sink.Write(new CustomToolCallInputDeltaEvent(_sequence++, _callItemId!, _callIndex, input));
            sink.Write(new CustomToolCallInputDoneEvent(_sequence++, _callItemId!, _callIndex, input));
            item = new CustomToolCallItem { Id = _callItemId, CallId = _callId!, Name = name, Input = input, Status = status };
        }
        else
        {
            sink.Write(new FunctionCallArgumentsDoneEvent(_sequence++, _callItemId!, _callIndex, name, arguments));
            item = new FunctionCallItem { Id = _callItemId, CallId = _callId!, Name = name, Arguments = arguments, Status = status };
        }
        sink.Write(new OutputItemEvent(ResponseEventTypes.OutputItemDone, _sequence++, _callIndex, item));
        _output[_callIndex] = item;
    }

    private static bool ValidJson(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // the custom tool was offered as {"input": string}; a model that wrote something else gets its arguments as the input
    private static string CustomInput(string arguments)
    {
        try
        {
            using var doc = JsonDocument.Parse(arguments);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty(ToolDefinition.CustomInputProperty, out var input) && input.ValueKind == JsonValueKind.String
                ? input.GetString()!
                : arguments;
        }
        catch (JsonException)
        {
            return arguments;
        }
    }

    private void OpenMessage()
    {
        _messageId = Ids.New("msg");
        _messageIndex = _output.Count;
        _output.Add(null!); // the message's slot, filled when it closes
        sink.Write(new OutputItemEvent(ResponseEventTypes.OutputItemAdded, _sequence++, _messageIndex,
            new MessageItem { Id = _messageId, Role = "assistant", Status = ResponseStatus.InProgress, Content = [] }));
        sink.Write(new ContentPartEvent(ResponseEventTypes.ContentPartAdded, _sequence++, _messageId, _messageIndex, 0, ContentPart.OutputText("")));
    }

    private void CloseMessage(string status)
    {
        if (_messageId is not { } id) return;
        string fullText = _text.ToString();
        var part = ContentPart.OutputText(fullText);
        var message = new MessageItem { Id = id, Role = "assistant", Status = status, Content = [part] };
        _output[_messageIndex] = message;
        sink.Write(new OutputTextDoneEvent(_sequence++, id, _messageIndex, 0, fullText));
        sink.Write(new ContentPartEvent(ResponseEventTypes.ContentPartDone, _sequence++, id, _messageIndex, 0, part));
        sink.Write(new OutputItemEvent(ResponseEventTypes.OutputItemDone, _sequence++, _messageIndex, message));
        _messageId = null;
        _text.Clear();
    }

    private ValueTask Beat(CancellationToken cancellationToken)
    {
        sink.WriteHeartbeat();
        return sink.FlushAsync(cancellationToken);
    }
}
