using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Spark.Protocol.Errors;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Protocol.Sse;

namespace Spark.Agent.Client;

/// <summary>
/// The Responses API over HTTP/SSE: each request is a <c>POST /v1/responses</c> with <c>stream: true</c> on one
/// pooled, kept-alive connection. Error statuses become a <see cref="ResponsesApiException"/> carrying the server's
/// own message; a stream that ends before the response does is an error too, never a silent empty answer.
/// </summary>
public sealed class HttpResponsesTransport : IResponsesTransport
{
    private readonly HttpClient _http;
    private readonly ResponsesEndpoint _endpoint;

    /// <summary>A transport for <paramref name="endpoint"/>.</summary>
    public HttpResponsesTransport(ResponsesEndpoint endpoint)
    {
        _endpoint = endpoint;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5), // the model may think for a while between requests
            ConnectTimeout = endpoint.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
        };
        // the stream may legitimately run for many minutes; headers are bounded by ResponseHeadersTimeout below
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        if (endpoint.ApiKey is { Length: > 0 } key) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <inheritdoc />
    public string Name => "http";

    /// <inheritdoc />
    public async IAsyncEnumerable<ResponseStreamEvent> StreamAsync(ResponseCreateRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = _endpoint.ResponsesUrl;
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(request with { Stream = true }, ProtocolJsonContext.Default.ResponseCreateRequest);
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await SendAsync(message, url, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorFromAsync(response, url, cancellationToken).ConfigureAwait(false);

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        bool ended = false;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var events = SseReader.ReadAsync(stream, idle.Token).GetAsyncEnumerator(idle.Token);
        while (true)
        {
            SseEvent sse;
            try
            {
                idle.CancelAfter(_endpoint.StreamIdleTimeout);
                if (!await events.MoveNextAsync().ConfigureAwait(false)) break;
                sse = events.Current;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ResponsesApiException(
                    $"{url} sent nothing for {_endpoint.StreamIdleTimeout.TotalSeconds:0.#} s in the middle of a response; the stream was given up.");
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new ResponsesApiException($"The connection to {url} broke while the response streamed: {e.Message}", inner: e);
            }
            ResponseStreamEvent parsed;
            try
            {
                parsed = ResponseStreamEventParser.Parse(sse.Data);
            }
            catch (JsonException e)
            {
                throw new ResponsesApiException($"{url} sent a stream event this client cannot read: {e.Message}", inner: e);
            }
            if (parsed.Type is ResponseEventTypes.Completed or ResponseEventTypes.Incomplete or ResponseEventTypes.Failed) ended = true;
            yield return parsed;
            if (ended) yield break;
        }
        throw new ResponsesApiException($"{url} ended the event stream before the response completed (no response.completed, .incomplete or .failed event).");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, Uri url, CancellationToken cancellationToken)
    {
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        headers.CancelAfter(_endpoint.ConnectTimeout);
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ResponsesApiException($"{url} did not answer within {_endpoint.ConnectTimeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException e)
        {
            throw new ResponsesApiException($"Cannot reach {url}: {e.Message}. Is the server running, and is --base-url right?", inner: e);
        }
    }

    private static async Task<ResponsesApiException> ErrorFromAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string what = $"{url} answered {status} {response.ReasonPhrase}";
        try
        {
            var error = JsonSerializer.Deserialize(text, ProtocolJsonContext.Default.ErrorResponse)?.Error;
            if (error is { Message: { } m })
                return new ResponsesApiException($"{what}: {m}", status, error.Code);
        }
        catch (JsonException)
        {
            // not an OpenAI error body: show the text itself below
        }
        string shown = text.Length > 300 ? text[..300] + "…" : text;
        return new ResponsesApiException(shown.Length == 0 ? what : $"{what}: {shown}", status);
    }

    /// <inheritdoc />
    public bool SupportsSessionFeatures => false;

    /// <inheritdoc />
    public Task SteerAsync(string responseId, string text, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            "Steering needs the WebSocket transport: over HTTP/SSE each request is its own stream and the server cannot be told anything mid-response. Use --transport ws (or auto against a server that accepts WebSockets).");

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
