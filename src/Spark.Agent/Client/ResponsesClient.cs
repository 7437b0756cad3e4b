using System.Diagnostics;
using Spark.Protocol.Responses;

namespace Spark.Agent.Client;

/// <summary>What every request of a session carries besides its input.</summary>
public sealed record ResponsesClientOptions
{
    /// <summary>The model name sent as <c>model</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The system instructions (resent every request: the API does not carry them over).</summary>
    public string? Instructions { get; init; }

    /// <summary>The tools declared to the model.</summary>
    public IReadOnlyList<ResponseTool> Tools { get; init; } = [];

    /// <summary>The token limit of each response, or null for the server's default.</summary>
    public int? MaxOutputTokens { get; init; }
}

/// <summary>
/// A Responses API conversation, request by request. It keeps the whole history; when the server stored the last
/// response it sends only the items added since, with <c>previous_response_id</c>, otherwise the full history.
/// A server that forgot the previous response (restart, eviction) gets the full history once, transparently.
/// Over a WebSocket it can also prewarm the server's cache and steer the running response.
/// </summary>
public sealed class ResponsesClient(IResponsesTransport transport, ResponsesClientOptions options) : IDisposable
{
    private readonly List<ResponseItem> _history = [];
    private readonly Queue<string> _sentSteers = new(); // steering text sent, in order, awaiting the server's answer
    private readonly List<(string? Id, string Text)> _acceptedSteers = []; // accepted for the running response, committed by its successor
    private string _model = options.Model;
    private string? _previousResponseId;
    private int _coveredByPrevious;
    private volatile string? _runningResponseId;

    /// <summary>Every item of the conversation so far, in order.</summary>
    public IReadOnlyList<ResponseItem> History => _history;

    /// <summary>The model the next request asks for.</summary>
    public string Model => _model;

    /// <summary>
    /// Asks for <paramref name="model"/> from the next request on, keeping the whole history. The new model has none of
    /// the conversation cached, so the next request sends the full history (no <c>previous_response_id</c>).
    /// </summary>
    /// <returns>True when the model changed (the cache is cold), false when it was already that model.</returns>
    public bool SwitchModel(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (model == _model) return false;
        _model = model;
        _previousResponseId = null;
        _coveredByPrevious = 0;
        return true;
    }

    /// <summary>The transport's name (<c>http</c>, <c>ws</c>).</summary>
    public string TransportName => transport.Name;

    /// <summary>True when this connection can prewarm and steer (a WebSocket).</summary>
    public bool SupportsSessionFeatures => transport.SupportsSessionFeatures;

    /// <summary>The id of the response being streamed right now, or null between requests.</summary>
    public string? RunningResponseId => _runningResponseId;

    /// <summary>Appends an item to send with the next request (a user message, a function call's output).</summary>
    public void Add(ResponseItem item) => _history.Add(item);

    /// <summary>
    /// Prewarm: sends the items not yet sent (with the instructions and tools) as <c>generate: false</c>, so the server
    /// prefills and caches them at once; the next <see cref="SendAsync"/> continues from that response and only
    /// generates. Does nothing and returns false when the transport cannot (HTTP) or nothing is waiting to be sent.
    /// </summary>
    /// <exception cref="ResponsesApiException">The server refused the prewarm.</exception>
    public async Task<bool> PrewarmAsync(CancellationToken cancellationToken)
    {
        if (!transport.SupportsSessionFeatures || _history.Count == _coveredByPrevious) return false;
        int firstNew = _previousResponseId is null ? 0 : _coveredByPrevious;
        var request = NewRequest(_history.GetRange(firstNew, _history.Count - firstNew)) with { Generate = false, Store = false };
        ResponseObject? final = null;
        await foreach (var e in transport.StreamAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (e is ResponseErrorEvent error)
                throw new ResponsesApiException($"The server refused the prewarm: {error.Message}", code: error.Code);
            if (e is ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete or ResponseEventTypes.Failed } done)
                final = done.Response;
        }
        if (final is null || final.Status != ResponseStatus.Completed || final.Id.Length == 0) return false;
        _previousResponseId = final.Id; // held by the connection (even unstored): the real request continues it
        _coveredByPrevious = _history.Count;
        return true;
    }

    /// <summary>
    /// Sends steering <paramref name="text"/> for the running response. The server's answer comes back in the running
    /// <see cref="SendAsync"/> as a <see cref="SteerUpdate"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The transport is HTTP/SSE, which cannot steer.</exception>
    /// <exception cref="InvalidOperationException">No response is running (the turn already ended: too late to steer it).</exception>
    public async Task SteerAsync(string text, CancellationToken cancellationToken)
    {
        if (!transport.SupportsSessionFeatures) await transport.SteerAsync("", text, cancellationToken).ConfigureAwait(false); // throws the transport's explanation
        string running = _runningResponseId
            ?? throw new InvalidOperationException("No response is running: the turn already ended, so this steer is too late; send it as a new message instead.");
        lock (_sentSteers) _sentSteers.Enqueue(text);
        await transport.SteerAsync(running, text, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the conversation's new items and waits for the response, passing text deltas to <paramref name="onTextDelta"/>.</summary>
    /// <exception cref="ResponsesApiException">The request failed, the response failed, or the stream broke.</exception>
    public async Task<ModelResponse> SendAsync(Action<string> onTextDelta, CancellationToken cancellationToken, Action<SteerUpdate>? onSteer = null)
    {
        try
        {
            return await SendOnceAsync(onTextDelta, onSteer, cancellationToken).ConfigureAwait(false);
        }
        catch (ResponsesApiException e) when (e.IsPreviousResponseNotFound && _previousResponseId is not null)
        {
            _previousResponseId = null; // the server forgot it: it gets the whole conversation instead
            return await SendOnceAsync(onTextDelta, onSteer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // interrupted: steering input for the abandoned response will never be answered
            lock (_sentSteers) _sentSteers.Clear();
            _acceptedSteers.Clear();
            throw;
        }
        finally
        {
            _runningResponseId = null;
        }
    }

    private ResponseCreateRequest NewRequest(List<ResponseItem> input) => new()
    {
        Model = _model,
        Instructions = options.Instructions,
        Input = new ResponseInput(input),
        Tools = options.Tools,
        PreviousResponseId = _previousResponseId,
        MaxOutputTokens = options.MaxOutputTokens,
        ParallelToolCalls = true,
        Stream = true,
    };

    private async Task<ModelResponse> SendOnceAsync(Action<string> onTextDelta, Action<SteerUpdate>? onSteer, CancellationToken cancellationToken)
    {
        bool full = _previousResponseId is null;
        int firstNew = full ? 0 : _coveredByPrevious;
        var request = NewRequest(_history.GetRange(firstNew, _history.Count - firstNew));

        var clock = Stopwatch.StartNew();
        TimeSpan? firstOutput = null;
        ResponseObject? final = null;
        string? steeredId = null;
        await foreach (var e in transport.StreamAsync(request, cancellationToken).ConfigureAwait(false))
        {
            switch (e)
            {
                case OutputTextDeltaEvent delta:
                    firstOutput ??= clock.Elapsed;
                    onTextDelta(delta.Delta);
                    break;
                case OutputItemEvent:
                    firstOutput ??= clock.Elapsed;
                    break;
                case ResponseErrorEvent error:
                    throw new ResponsesApiException($"The server reported an error during the response: {error.Message}", code: error.Code);
                case ResponseLifecycleEvent { Type: ResponseEventTypes.Created } created:
                    _runningResponseId = created.Response.Id;
                    if (steeredId is not null) onSteer?.Invoke(new ResponseSteered(steeredId, created.Response.Id));
                    steeredId = null;
                    break;
                case ResponseLifecycleEvent { Type: ResponseEventTypes.Failed } failed:
                    var why = failed.Response.Error;
                    throw new ResponsesApiException($"The response failed: {why?.Message ?? "the server gave no reason"}", code: why?.Code);
                case ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete } steered
                    when WebSocketResponsesTransport.HasSuccessor(steered.Response, _acceptedSteers.Count):
                    // the successor continues this response with the steering input: both belong to the history
                    _history.AddRange(steered.Response.Output);
                    foreach (var (_, text) in _acceptedSteers) _history.Add(UserMessage(text));
                    _acceptedSteers.Clear();
                    steeredId = steered.Response.Id;
                    break;
                case ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete } done:
                    final = done.Response;
                    break;
                case SteerAcceptedEvent accepted:
                    if (TakeSentSteer() is { } acceptedText) _acceptedSteers.Add((accepted.Steer.Id, acceptedText));
                    onSteer?.Invoke(new SteerAccepted(accepted.Steer.Id, accepted.Steer.PreviousResponseId));
                    break;
                case SteerPendingEvent pending:
                    // the server puts it before the tool outputs of the request continuing that response
                    if (TakeSentSteer() is { } pendingText) _history.Insert(Math.Min(_coveredByPrevious, _history.Count), UserMessage(pendingText));
                    onSteer?.Invoke(new SteerPending(pending.Steer.Id, pending.Steer.PreviousResponseId));
                    break;
                case SteerFailedEvent refused:
                    // refused at once, or accepted and then not committed (its successor could not start)
                    if (_acceptedSteers.FindIndex(a => a.Id is not null && a.Id == refused.Steer.Id) is >= 0 and var index) _acceptedSteers.RemoveAt(index);
                    else TakeSentSteer();
                    onSteer?.Invoke(new SteerFailed(refused.Error.Code, refused.Error.Message));
                    break;
            }
        }
        var total = clock.Elapsed;
        if (final is null) throw new ResponsesApiException("The response stream ended without a final response.");

        _history.AddRange(final.Output);
        if ((final.Store || transport.SupportsSessionFeatures) && final.Id.Length > 0)
        {
            _previousResponseId = final.Id; // a WebSocket connection holds its responses even unstored
            _coveredByPrevious = _history.Count;
        }
        else
        {
            _previousResponseId = null;
        }
        return new ModelResponse(final, firstOutput ?? total, total);
    }

    private string? TakeSentSteer()
    {
        lock (_sentSteers) return _sentSteers.TryDequeue(out var text) ? text : null;
    }

    private static MessageItem UserMessage(string text) => new() { Role = "user", Content = [ContentPart.InputText(text)] };

    /// <summary>Disposes the transport.</summary>
    public void Dispose() => transport.Dispose();
}
