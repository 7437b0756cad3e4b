using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Spark.Cli.Bench.Latency;

/// <summary>A conversation over the Responses WebSocket mode: one socket, opened once, carries every turn.</summary>
internal sealed class WebSocketConversationChannel : IConversationChannel
{
    private readonly ClientWebSocket _socket;
    private readonly ArrayBufferWriter<byte> _message = new(16 * 1024);

    private WebSocketConversationChannel(ClientWebSocket socket) => _socket = socket;

    /// <summary>Opens the socket on <paramref name="url"/> (ws:// or wss:// …/v1/responses).</summary>
    public static async Task<WebSocketConversationChannel> ConnectAsync(Uri url, string? apiKey, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        if (apiKey is not null) socket.Options.SetRequestHeader("Authorization", $"Bearer {apiKey}");
        try
        {
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            socket.Dispose();
            throw new BenchServerException($"cannot open a WebSocket on {url}: {e.Message} (does the server support the Responses WebSocket mode?)", e);
        }
        return new WebSocketConversationChannel(socket);
    }

    public async Task<TurnMeasurement> RunTurnAsync(int turn, TurnRequest request, CancellationToken cancellationToken)
    {
        var recorder = new TurnRecorder(turn);
        await _socket.SendAsync(request.WebSocketMessage(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            string json = await ReceiveAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new BenchServerException($"the server closed the WebSocket during turn {turn} ({_socket.CloseStatus} {_socket.CloseStatusDescription})");
            if (recorder.Observe(json)) return recorder.Result!;
        }
    }

    private async Task<string?> ReceiveAsync(CancellationToken cancellationToken)
    {
        _message.ResetWrittenCount();
        while (true)
        {
            var result = await _socket.ReceiveAsync(_message.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            _message.Advance(result.Count);
            if (result.EndOfMessage) return Encoding.UTF8.GetString(_message.WrittenSpan);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the conversation is over either way; a close the server does not answer is not a benchmark result
        }
        _socket.Dispose();
    }
}
