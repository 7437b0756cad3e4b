using System.Runtime.CompilerServices;
using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Spark.Server.Responses;

namespace Spark.Server.WebSockets;

/// <summary>
/// Writes Responses events into a WebSocket, one JSON object per text message — the same JSON as the SSE stream's
/// <c>data:</c> (<see cref="ResponseEventJson"/>), with the lane's <c>stream_id</c> added to every event when the
/// request named one. Events are buffered in one reused buffer and sent on <see cref="FlushAsync"/>.
/// One sink serves one lane; lanes of a connection share its socket through <see cref="ResponsesWebSocket.SendAsync"/>.
/// </summary>
internal sealed class WebSocketEventSink : IResponseEventSink
{
    private readonly ResponsesWebSocket _connection;
    private readonly MessageBuffer _buffer = new();
    private readonly Utf8JsonWriter _json;
    private readonly List<int> _messageEnds = new(16);
    private readonly byte[]? _streamIdSuffix;

    public WebSocketEventSink(ResponsesWebSocket connection, string? streamId)
    {
        _connection = connection;
        _json = new Utf8JsonWriter(_buffer);
        if (streamId is not null)
        {
            // ,"stream_id":"…"} replaces each event's closing brace
            var encoded = JsonEncodedText.Encode(streamId).EncodedUtf8Bytes;
            _streamIdSuffix = [.. ",\"stream_id\":\""u8, .. encoded, .. "\"}"u8];
        }
    }

    public void Write(ResponseStreamEvent streamEvent)
    {
        ResponseEventJson.Write(_json, streamEvent);
        EndMessage();
    }

    public void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta)
    {
        ResponseEventJson.WriteOutputTextDelta(_json, sequenceNumber, itemId, outputIndex, contentIndex, delta);
        EndMessage();
    }

    /// <summary>A refused request (<c>{type:"error", status, error}</c>).</summary>
    public void WriteError(WebSocketErrorEvent error)
    {
        JsonSerializer.Serialize(_json, error, ProtocolJsonContext.Default.WebSocketErrorEvent);
        EndMessage();
    }

    /// <summary>Nothing: Kestrel's WebSocket keep-alive pings keep an idle socket open.</summary>
    public void WriteHeartbeat() { }

    public ValueTask FlushAsync(CancellationToken cancellationToken) =>
        _messageEnds.Count == 0 ? ValueTask.CompletedTask : SendBufferedAsync(cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendBufferedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _connection.SendAsync(_buffer.Written, _messageEnds, cancellationToken);
        }
        finally
        {
            _buffer.Clear();
            _messageEnds.Clear();
        }
    }

    private void EndMessage()
    {
        _json.Flush();
        _json.Reset();
        if (_streamIdSuffix is not null)
        {
            _buffer.Truncate(_buffer.Length - 1);
            _streamIdSuffix.CopyTo(_buffer.GetSpan(_streamIdSuffix.Length));
            _buffer.Advance(_streamIdSuffix.Length);
        }
        _messageEnds.Add(_buffer.Length);
    }
}
