using System.Text;
using Spark.Protocol.Responses;
using Spark.Server.Backends;

namespace Spark.Server.Responses;

/// <summary>
/// Drives one response: reads a backend's generation and emits the Responses event sequence with increasing
/// <c>sequence_number</c> (created, in_progress, the message item and its text part, a delta per piece of text,
/// the done events, then completed / incomplete / failed with usage), returning the final response object.
/// The same runner serves SSE, non-streaming requests and WebSocket mode through its sink. A generation stopped
/// through its <see cref="ResponseControl"/> ends <c>cancelled</c>, or <c>incomplete</c> (<c>steered</c>).
/// </summary>
internal sealed class ResponseRunner(ResponseObject shell, IGeneration generation, IResponseEventSink sink, TimeSpan heartbeatInterval = default, ResponseControl? control = null)
{
    private int _sequence;

    /// <summary>The generation's outcome, once <see cref="RunAsync"/> has returned.</summary>
    public GenerationOutcome? Outcome { get; private set; }

    /// <summary>The message item the runner wrote.</summary>
    public MessageItem? Message { get; private set; }

    public async Task<ResponseObject> RunAsync(CancellationToken cancellationToken)
    {
        string itemId = Ids.New("msg");
        var running = shell with { Status = ResponseStatus.InProgress };
        sink.Write(new ResponseLifecycleEvent(ResponseEventTypes.Created, _sequence++, running));
        sink.Write(new ResponseLifecycleEvent(ResponseEventTypes.InProgress, _sequence++, running));
        sink.Write(new OutputItemEvent(ResponseEventTypes.OutputItemAdded, _sequence++, 0,
            new MessageItem { Id = itemId, Role = "assistant", Status = ResponseStatus.InProgress, Content = [] }));
        sink.Write(new ContentPartEvent(ResponseEventTypes.ContentPartAdded, _sequence++, itemId, 0, 0, ContentPart.OutputText("")));
        await sink.FlushAsync(cancellationToken);

        var text = new StringBuilder();
        GenerationOutcome outcome;
        var step = await Heartbeats.FirstStepAsync(generation, heartbeatInterval, Beat, cancellationToken);
        while (true)
        {
            if (step.Kind == GenerationStepKind.Finished)
            {
                outcome = step.Outcome!;
                break;
            }
            text.Append(step.Text.Span);
            sink.WriteTextDelta(_sequence++, itemId, 0, 0, step.Text.Span);
            await sink.FlushAsync(cancellationToken);
            step = await generation.NextAsync(cancellationToken);
        }
        Outcome = outcome;

        string fullText = text.ToString();
        var part = ContentPart.OutputText(fullText);
        string itemStatus = outcome.Reason == FinishReason.Stop ? ResponseStatus.Completed : ResponseStatus.Incomplete;
        var message = new MessageItem { Id = itemId, Role = "assistant", Status = itemStatus, Content = [part] };
        Message = message;
        sink.Write(new OutputTextDoneEvent(_sequence++, itemId, 0, 0, fullText));
        sink.Write(new ContentPartEvent(ResponseEventTypes.ContentPartDone, _sequence++, itemId, 0, 0, part));
        sink.Write(new OutputItemEvent(ResponseEventTypes.OutputItemDone, _sequence++, 0, message));

        var final = running with
        {
            Output = [message],
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
        sink.Write(new ResponseLifecycleEvent(eventType, _sequence++, final));
        await sink.FlushAsync(cancellationToken);
        return final;
    }

    private ValueTask Beat(CancellationToken cancellationToken)
    {
        sink.WriteHeartbeat();
        return sink.FlushAsync(cancellationToken);
    }
}
