using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Spark.Server.Backends;

/// <summary>
/// One open WebSocket-mode connection to an upstream's <c>/responses</c>. A single loop owns the receiving side for
/// the connection's whole life — also while it sits idle in the pool, so an upstream that closes it (a restart, an
/// idle limit) is noticed at once and the connection is not handed out again. Each text message becomes one event,
/// tagged when it is a response's terminal event (<c>response.completed</c>, <c>.incomplete</c>, <c>.failed</c>):
/// after that the connection is free for the next response.
/// </summary>
internal sealed class UpstreamWebSocket : IDisposable
{
    private const int MaxMessageBytes = 64 << 20;
    private readonly WebSocket _socket;
    private readonly Channel<Message> _messages = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private string? _failure;

    /// <summary>One event: its JSON text, and whether it ends a response.</summary>
    internal readonly record struct Message(string Text, bool Ends);

    public UpstreamWebSocket(WebSocket socket)
    {
        _socket = socket;
        Closed = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Completes when the connection is gone (closed by either side, or broken).</summary>
    public Task Closed { get; }

    public bool IsClosed => Closed.IsCompleted || _socket.State != WebSocketState.Open;

    /// <summary>Sends one <c>response.create</c>.</summary>
    /// <exception cref="IOException">The connection is gone.</exception>
    public async Task SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"the WebSocket is closed ({e.Message})", e);
        }
    }

    /// <summary>The next event; null when the upstream closed the connection.</summary>
    /// <exception cref="TimeoutException">Nothing arrived within <paramref name="timeout"/>.</exception>
    /// <exception cref="IOException">The connection broke.</exception>
    public async ValueTask<Message?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_messages.Reader.TryRead(out var message)) return message; // already here: no timer needed
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (await _messages.Reader.WaitToReadAsync(limit.Token))
                if (_messages.Reader.TryRead(out message)) return message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no data for {timeout.TotalSeconds:0.###} s");
        }
        if (_failure is { } failure) throw new IOException($"the WebSocket broke ({failure})");
        return null;
    }

    /// <summary>Drops events nobody asked for (none are expected between responses) before the connection is reused.</summary>
    public void DropStale()
    {
        while (_messages.Reader.TryRead(out _))
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes) throw new WebSocketException($"the upstream sent a message larger than {MaxMessageBytes >> 20} MB");
                    byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync();
                    return;
                }
                length += result.Count;
                if (!result.EndOfMessage) continue;
                if (result.MessageType == WebSocketMessageType.Text)
                    _messages.Writer.TryWrite(new Message(Encoding.UTF8.GetString(buffer, 0, length), EndsResponse(buffer.AsSpan(0, length))));
                length = 0;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            _failure = e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _messages.Writer.TryComplete();
        }
    }

    private async Task CloseQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    // the top-level "type" of an event, read without building a document (the translation parses it once, later)
    private static bool EndsResponse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                    return reader.TokenType == JsonTokenType.String
                        && (reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.incomplete"u8) || reader.ValueTextEquals("response.failed"u8));
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary>Drops the connection (an upstream still generating on it stops).</summary>
    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
    }
}
