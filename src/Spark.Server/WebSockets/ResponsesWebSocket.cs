using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spark.Protocol.Errors;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Server.Endpoints;
using Spark.Server.Errors;
using Spark.Server.Responses;
using Spark.Server.Storage;

namespace Spark.Server.WebSockets;

/// <summary>
/// One WebSocket connection in WebSocket mode on <c>/v1/responses</c>. Reads client events (<c>response.create</c>,
/// <c>response.steer</c>), runs responses in <c>stream_id</c> lanes and sends their events as text messages. State
/// lives with the connection: finished responses (even <c>store: false</c>) for <c>previous_response_id</c>, running
/// responses for steering. A malformed message gets an <c>error</c> event and the connection stays usable; a socket
/// that closes (with or without a close frame) stops every generation it started. When the server stops, it closes
/// the connection with 1001 (going away) at once, so clients (a Spark in front using this one as its WebSocket
/// upstream, Codex) reconnect elsewhere instead of holding the shutdown until Kestrel's timeout drops them.
/// </summary>
internal sealed partial class ResponsesWebSocket(WebSocket socket, ServerContext server, CancellationToken requestAborted, CancellationToken serverStopping = default)
{
    private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _state = new();
    private readonly Dictionary<string, WebSocketLane> _lanes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActiveResponse> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FinishedResponse> _finished = new(StringComparer.Ordinal);
    private readonly Queue<string> _finishedOrder = new();
    private int _controlSequence;

    /// <summary>Serves the connection until the client closes it or goes away.</summary>
    public async Task RunAsync()
    {
        Interlocked.Increment(ref server.WebSocketConnections);
        var message = new MessageBuffer();
        using var stopping = serverStopping.Register(() => _ = CloseForShutdownAsync());
        try
        {
            while (true)
            {
                var (type, complete) = await ReceiveAsync(message);
                if (type == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
                if (!complete)
                    await RefuseAsync(null, new ApiException(413, "invalid_request_error", "request_too_large", null,
                        $"The message is larger than the server's limit of {server.Options.MaxRequestBodyBytes} bytes; send less, or start the server with a larger --max-body-bytes."));
                else if (type == WebSocketMessageType.Binary)
                    await RefuseAsync(null, ApiException.BadRequest("Binary messages are not understood; send each event as a JSON text message.", code: "invalid_json"));
                else
                    await HandleAsync(message.Written);
            }
        }
        catch (WebSocketException)
        {
            // closed without a close frame (a client that dropped TCP): the finally block stops its work
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
        }
        finally
        {
            _closed.Cancel(); // every generation of this connection stops within a token
            Task[] lanes;
            lock (_state) lanes = _lanes.Values.Select(l => l.Tail).ToArray();
            await Task.WhenAll(lanes);
            Interlocked.Decrement(ref server.WebSocketConnections);
            _closed.Dispose();
        }
    }

    // between two messages (the send lock), so no client sees half an event; the client's answering close ends RunAsync,
    // and a client that does not answer is dropped two seconds later
    private async Task CloseForShutdownAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the server is shutting down", timeout.Token);
            }
            finally
            {
                _sendLock.Release();
            }
            _closed.CancelAfter(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // already closed or going: Kestrel's own shutdown handles the rest
        }
    }

    /// <summary>Reads one whole message; <c>complete</c> is false when it was larger than the limit (its bytes are dropped).</summary>
    private async Task<(WebSocketMessageType Type, bool Complete)> ReceiveAsync(MessageBuffer message)
    {
        message.Clear();
        bool tooLarge = false;
        while (true)
        {
            var result = await socket.ReceiveAsync(message.GetMemory(8192), _closed.Token);
            if (result.MessageType == WebSocketMessageType.Close) return (WebSocketMessageType.Close, true);
            message.Advance(result.Count);
            if (message.Length > server.Options.MaxRequestBodyBytes)
            {
                tooLarge = true;
                message.Clear();
            }
            if (result.EndOfMessage) return (result.MessageType, !tooLarge);
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            await RefuseAsync(null, ApiException.BadRequest(
                $"The message is not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')}). Send one JSON object per message, e.g. {{\"type\":\"response.create\",\"model\":\"…\",\"input\":\"Hello\"}}.",
                code: "invalid_json"));
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            string? streamId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("stream_id", out var lane) && lane.ValueKind == JsonValueKind.String ? lane.GetString() : null;
            string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "response.create":
                    if (TryRead(root, ProtocolJsonContext.Default.ResponseCreateRequest, out var create, out var createError)) StartCreate(create);
                    else await RefuseAsync(streamId, createError);
                    break;
                case "response.steer":
                    if (TryRead(root, ProtocolJsonContext.Default.ResponseSteerRequest, out var steer, out var steerError)) await SteerAsync(steer);
                    else await RefuseAsync(null, steerError);
                    break;
                case null:
                    await RefuseAsync(streamId, ApiException.BadRequest(
                        "Each message must be a JSON object with a string 'type': 'response.create' or 'response.steer'.", "type", "invalid_event"));
                    break;
                default:
                    await RefuseAsync(streamId, ApiException.BadRequest(
                        $"Unknown event type '{type}'. Spark's WebSocket mode accepts 'response.create' and 'response.steer'.", "type", "unknown_event"));
                    break;
            }
        }
    }

    private static bool TryRead<T>(JsonElement root, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, out T value, out ApiException error)
    {
        try
        {
            value = root.Deserialize(typeInfo)!;
            error = null!;
            return true;
        }
        catch (JsonException e)
        {
            value = default!;
            error = ApiErrors.FromJson(e, typeInfo);
            return false;
        }
    }

    /// <summary>Sends messages (the JSON in <paramref name="buffer"/> ending at each of <paramref name="ends"/>), one lane at a time.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, List<int> ends, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            int start = 0;
            for (int i = 0; i < ends.Count; i++)
            {
                await socket.SendAsync(buffer[start..ends[i]], WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                start = ends[i];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a refused request's <c>error</c> event (nothing was started).</summary>
    private Task RefuseAsync(string? streamId, ApiException error) => SendOnceAsync(streamId, sink => sink.WriteError(ErrorEvent(error)));

    private static WebSocketErrorEvent ErrorEvent(ApiException error) =>
        new(error.Status, new ErrorBody(error.Message, error.Type, error.Param, error.Code));

    /// <summary>Sends events outside a lane's response stream (errors, steering replies) through a sink of their own.</summary>
    private async Task SendOnceAsync(string? streamId, Action<WebSocketEventSink> write)
    {
        try
        {
            var sink = new WebSocketEventSink(this, streamId);
            write(sink);
            await sink.FlushAsync(_closed.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client is gone; nobody is left to tell
        }
    }

    private int NextControlSequence() => Interlocked.Increment(ref _controlSequence) - 1;

    /// <summary>Keeps a finished response for this connection (the shared store got it before its terminal event).</summary>
    private void Remember(StoredResponse stored, string? streamId)
    {
        lock (_state)
        {
            bool known = _finished.ContainsKey(stored.Response.Id); // remembered once before its terminal event, once after
            _finished[stored.Response.Id] = new FinishedResponse(stored, streamId);
            if (known) return;
            _finishedOrder.Enqueue(stored.Response.Id);
            while (_finished.Count > server.Options.WebSocketCachedResponses && _finishedOrder.TryDequeue(out var oldest))
                _finished.Remove(oldest);
        }
    }

    private Task<IReadOnlyList<ResponseItem>> FindConversationAsync(string responseId)
    {
        lock (_state)
        {
            if (_finished.TryGetValue(responseId, out var finished)) return Task.FromResult(finished.Stored.Conversation);
        }
        return server.PreviousConversationAsync(responseId, _closed.Token);
    }

    private void LogFailure(Exception e) => Hosting.ServerLog.WebSocketRequestFailed(server.Logger, e);
}
