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
/// </summary>
public sealed class ResponsesClient(IResponsesTransport transport, ResponsesClientOptions options) : IDisposable
{
    private readonly List<ResponseItem> _history = [];
    private string? _previousResponseId;
    private int _coveredByPrevious;

    /// <summary>Every item of the conversation so far, in order.</summary>
    public IReadOnlyList<ResponseItem> History => _history;

    /// <summary>The transport's name (<c>http</c>, …).</summary>
    public string TransportName => transport.Name;

    /// <summary>Appends an item to send with the next request (a user message, a function call's output).</summary>
    public void Add(ResponseItem item) => _history.Add(item);

    /// <summary>Sends the conversation's new items and waits for the response, passing text deltas to <paramref name="onTextDelta"/>.</summary>
    /// <exception cref="ResponsesApiException">The request failed, the response failed, or the stream broke.</exception>
    public async Task<ModelResponse> SendAsync(Action<string> onTextDelta, CancellationToken cancellationToken)
    {
        try
        {
            return await SendOnceAsync(onTextDelta, cancellationToken).ConfigureAwait(false);
        }
        catch (ResponsesApiException e) when (e.IsPreviousResponseNotFound && _previousResponseId is not null)
        {
            _previousResponseId = null; // the server forgot it: it gets the whole conversation instead
            return await SendOnceAsync(onTextDelta, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ModelResponse> SendOnceAsync(Action<string> onTextDelta, CancellationToken cancellationToken)
    {
        bool full = _previousResponseId is null;
        var input = full ? [.. _history] : _history.GetRange(_coveredByPrevious, _history.Count - _coveredByPrevious);
        var request = new ResponseCreateRequest
        {
            Model = options.Model,
            Instructions = options.Instructions,
            Input = new ResponseInput(input),
            Tools = options.Tools,
            PreviousResponseId = _previousResponseId,
            MaxOutputTokens = options.MaxOutputTokens,
            ParallelToolCalls = true,
            Stream = true,
        };

        var clock = Stopwatch.StartNew();
        TimeSpan? firstOutput = null;
        ResponseObject? final = null;
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
                case ResponseLifecycleEvent { Type: ResponseEventTypes.Failed } failed:
                    var why = failed.Response.Error;
                    throw new ResponsesApiException($"The response failed: {why?.Message ?? "the server gave no reason"}", code: why?.Code);
                case ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete } done:
                    final = done.Response;
                    break;
            }
        }
        var total = clock.Elapsed;
        if (final is null) throw new ResponsesApiException("The response stream ended without a final response.");

        _history.AddRange(final.Output);
        if (final.Store && final.Id.Length > 0)
        {
            _previousResponseId = final.Id;
            _coveredByPrevious = _history.Count;
        }
        else
        {
            _previousResponseId = null;
        }
        return new ModelResponse(final, firstOutput ?? total, total);
    }

    /// <summary>Disposes the transport.</summary>
    public void Dispose() => transport.Dispose();
}
