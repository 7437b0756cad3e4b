using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;

namespace Spark.Agent.Client;

/// <summary>
/// The Responses API over one persistent WebSocket per session (<c>GET /v1/responses</c> upgraded): each request is a
/// <c>response.create</c> text message, each stream event one JSON text message, read by the same parser as SSE.
/// The connection keeps the server's conversation state and KV cache between turns; a socket that dropped between
/// turns is reopened once (the server then finds the previous response in its store, or says
/// <c>previous_response_not_found</c> and the client resends the history).
/// </summary>
public sealed class WebSocketResponsesTransport : IResponsesTransport
{
    /// <summary>The <see cref="ResponsesApiException.Code"/> of a refused upgrade (connect error or a non-101 answer).</summary>
    public const string UpgradeRefusedCode = "websocket_upgrade_refused";

    private static readonly byte[] CreatePrefix = "{\"type\":\"response.create\","u8.ToArray();

    private readonly ResponsesEndpoint _endpoint;
    private readonly Uri _url;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _received = new(16 * 1024);
    private ClientWebSocket? _socket;

    private WebSocketResponsesTransport(ResponsesEndpoint endpoint)
    {
        _endpoint = endpoint;
        var http = endpoint.ResponsesUrl;
        _url = new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws" }.Uri;
    }

    /// <summary>Opens the session's socket.</summary>
    /// <exception cref="ResponsesApiException">The server cannot be reached or refused the upgrade (code <see cref="UpgradeRefusedCode"/>).</exception>
    public static async Task<WebSocketResponsesTransport> ConnectAsync(ResponsesEndpoint endpoint, CancellationToken cancellationToken)
    {
        var transport = new WebSocketResponsesTransport(endpoint);
        try
        {
            await transport.OpenAsync(cancellationToken).ConfigureAwait(false);
            return transport;
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => "ws";

    /// <inheritdoc />
    public bool SupportsSessionFeatures => true;

    /// <summary>The socket's URL (<c>ws://…/v1/responses</c>).</summary>
    public Uri Url => _url;

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        _socket?.Dispose();
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        if (_endpoint.ApiKey is { Length: > 0 } key) socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_endpoint.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(_url, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            string why = status != 0 ? $"answered {(int)status} {status} instead of 101 Switching Protocols"
                : e is OperationCanceledException ? $"did not accept the connection within {_endpoint.ConnectTimeout.TotalSeconds:0} s"
                : $"could not be reached ({e.Message})";
            throw new ResponsesApiException(
                $"The WebSocket upgrade to {_url} was refused: the server {why}. Use --transport http (or auto, which falls back to HTTP/SSE).",
                status != 0 ? (int)status : null, UpgradeRefusedCode, e);
        }
        _socket = socket;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ResponseStreamEvent> StreamAsync(ResponseCreateRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(request with { Stream = null }, ProtocolJsonContext.Default.ResponseCreateRequest);
        byte[] message = new byte[CreatePrefix.Length + body.Length - 1]; // the body's '{' is replaced by the prefix
        CreatePrefix.CopyTo(message, 0);
        body.AsSpan(1).CopyTo(message.AsSpan(CreatePrefix.Length));
        await SendCreateAsync(message, cancellationToken).ConfigureAwait(false);

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int acceptedSteers = 0; // accepted for the running response and not yet committed by a successor
        while (true)
        {
            string json;
            try
            {
                idle.CancelAfter(_endpoint.StreamIdleTimeout);
                json = await ReceiveTextAsync(idle.Token).ConfigureAwait(false)
                    ?? throw new ResponsesApiException($"{_url} closed the WebSocket before the response completed.");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ResponsesApiException(
                    $"{_url} sent nothing for {_endpoint.StreamIdleTimeout.TotalSeconds:0.#} s in the middle of a response; the stream was given up.");
            }
            catch (WebSocketException e)
            {
                throw new ResponsesApiException($"The WebSocket to {_url} broke while the response streamed: {e.Message}", inner: e);
            }
            ResponseStreamEvent parsed;
            try
            {
                parsed = ResponseStreamEventParser.Parse(json);
            }
            catch (JsonException e)
            {
                throw new ResponsesApiException($"{_url} sent a stream event this client cannot read: {e.Message}", inner: e);
            }
            yield return parsed;
            if (EndsTheRequest(parsed, ref acceptedSteers)) yield break;
        }
    }

    /// <summary>
    /// True for the last event of one <c>response.create</c>: its final response, or an error refusing it. A response
    /// that ended while steering input was accepted for it — stopped <c>incomplete</c> as <c>steered</c>, or finished
    /// on its own in the same instant — is followed by its successor on the same request (unless it is waiting for
    /// tool outputs: then the input waits for the next request).
    /// </summary>
    private static bool EndsTheRequest(ResponseStreamEvent e, ref int acceptedSteers)
    {
        switch (e)
        {
            case SteerAcceptedEvent:
                acceptedSteers++;
                return false;
            case SteerFailedEvent when acceptedSteers > 0:
                acceptedSteers--;
                return false;
            case ResponseLifecycleEvent { Type: ResponseEventTypes.Created }:
                acceptedSteers = 0; // the successor commits them
                return false;
            case ResponseErrorEvent or ResponseLifecycleEvent { Type: ResponseEventTypes.Failed }:
                return true;
            case ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete } done:
                return !HasSuccessor(done.Response, acceptedSteers);
            default:
                return false;
        }
    }

    /// <summary>True when the server follows <paramref name="ended"/> with a successor carrying accepted steering input.</summary>
    internal static bool HasSuccessor(ResponseObject ended, int acceptedSteers) =>
        ended.IncompleteDetails?.Reason == SteeredReason
        || (acceptedSteers > 0 && !ended.Output.OfType<FunctionCallItem>().Any());

    /// <summary>The <c>incomplete_details.reason</c> of a response stopped by <c>response.steer</c>.</summary>
    public const string SteeredReason = "steered";

    private async Task SendCreateAsync(byte[] message, CancellationToken cancellationToken)
    {
        // between turns the server (or a proxy) may have closed the socket: reopen it once, then give up
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (_socket is not { State: WebSocketState.Open }) await OpenAsync(cancellationToken).ConfigureAwait(false);
                await SendAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (WebSocketException) when (attempt == 0)
            {
                _socket?.Abort(); // the dropped socket is replaced on the next attempt
            }
            catch (WebSocketException e)
            {
                throw new ResponsesApiException($"Cannot send to {_url}: {e.Message}", inner: e);
            }
        }
    }

    /// <inheritdoc />
    public async Task SteerAsync(string responseId, string text, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + text.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "response.steer");
            json.WriteString("previous_response_id", responseId);
            json.WriteString("input", text);
            json.WriteEndObject();
        }
        byte[] message = buffer.WrittenSpan.ToArray();
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            throw new ResponsesApiException($"Cannot send the steer to {_url}: {e.Message}", inner: e);
        }
    }

    private async Task SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new ObjectDisposedException(nameof(WebSocketResponsesTransport));
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next text message, or null when the server closed the socket.</summary>
    private async Task<string?> ReceiveTextAsync(CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new ObjectDisposedException(nameof(WebSocketResponsesTransport));
        _received.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(_received.GetMemory(8 * 1024), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            _received.Advance(result.Count);
            if (result.EndOfMessage) return Encoding.UTF8.GetString(_received.WrittenSpan);
        }
    }

    /// <summary>Closes the socket cleanly (a close frame, briefly awaited), so the server frees the session at once.</summary>
    public void Dispose()
    {
        if (_socket is { State: WebSocketState.Open } socket)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session ended", timeout.Token).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // the server is gone already: nothing to tell it
            }
        }
        _socket?.Dispose();
        _sendLock.Dispose();
    }
}
