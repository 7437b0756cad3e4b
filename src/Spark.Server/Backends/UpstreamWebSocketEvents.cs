using Spark.Server.Routing;

namespace Spark.Server.Backends;

/// <summary>
/// One response's events on a pooled <see cref="UpstreamWebSocket"/>, starting with the one the pool already read.
/// Disposing it after the response's terminal event hands the connection back to the pool for the next response;
/// disposing it earlier (the client went away, a timeout, a broken stream) drops the connection, which is how an
/// upstream in WebSocket mode is told to stop generating.
/// </summary>
internal sealed class UpstreamWebSocketEvents(UpstreamWebSocket socket, UpstreamWebSocket.Message first, UpstreamWebSocketPool pool, UpstreamReplica replica,
    TimeSpan idleTimeout) : IUpstreamEvents
{
    private UpstreamWebSocket.Message? _first = first;
    private bool _ended;
    private int _disposed;

    public async ValueTask<(string? Event, string Data)?> NextAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        UpstreamWebSocket.Message? message = _first;
        _first = null;
        message ??= await socket.ReceiveAsync(timeout ?? idleTimeout, cancellationToken);
        if (message is not { } m) return null;
        _ended |= m.Ends;
        return (null, m.Text);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_ended) pool.Return(replica, socket);
        else socket.Dispose();
    }
}
