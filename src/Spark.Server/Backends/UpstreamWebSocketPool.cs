using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Spark.Server.Errors;
using Spark.Server.Routing;

namespace Spark.Server.Backends;

/// <summary>
/// The WebSocket-mode connections to one upstream model's replicas (<c>websocket = true</c>). A connection runs one
/// response at a time: a request takes an idle one or opens another when all are busy, and gives it back after the
/// response's terminal event. The API key goes in the upgrade's <c>Authorization</c> header and nowhere else.
/// Connections the upstream closed are dropped from the pool and replaced by new ones on demand; a request sent on a
/// pooled connection that turns out to be closed (the close was not seen yet) goes again once on a new connection,
/// which is safe because nothing of it has reached the client.
/// </summary>
internal sealed class UpstreamWebSocketPool(UpstreamOptions options) : IDisposable
{
    /// <summary>Idle connections kept per replica; more are closed when their response ends.</summary>
    public const int MaxIdlePerReplica = 16;

    private readonly ConcurrentDictionary<UpstreamReplica, ConcurrentStack<UpstreamWebSocket>> _idle = new();
    private int _open;
    private int _opened;
    private volatile bool _disposed;

    /// <summary>Connections open now, idle or busy.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections opened since start (a reused connection is not counted again).</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>
    /// Sends <paramref name="body"/> (a <c>response.create</c>) on a connection to <paramref name="replica"/> and waits
    /// for the first event. Throws <see cref="ReplicaFailedException"/> when the replica cannot take it (connect
    /// error, refused upgrade, 5xx/429 error event, no answer within the first-token timeout) and the
    /// <paramref name="refusal"/> of a 4xx error event (the request itself is wrong: passed on to the client).
    /// </summary>
    public async Task<UpstreamStream> OpenAsync(UpstreamReplica replica, byte[] body, Func<UpstreamReplica, int, string, ApiException> refusal, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            var (socket, reused) = await RentAsync(replica, refusal, cancellationToken);
            bool handedOn = false;
            try
            {
                UpstreamWebSocket.Message? first;
                try
                {
                    await socket.SendAsync(body, cancellationToken);
                    first = await socket.ReceiveAsync(options.FirstTokenTimeout, cancellationToken);
                }
                catch (IOException) when (reused && attempt == 0)
                {
                    continue; // closed while idle, unnoticed: a new connection
                }
                catch (IOException e)
                {
                    throw new ReplicaFailedException(e.Message);
                }
                catch (TimeoutException)
                {
                    throw new ReplicaFailedException($"no response within {options.FirstTokenTimeout.TotalSeconds:0.###} s (first-token timeout)");
                }
                if (first is not { } message)
                {
                    if (reused && attempt == 0) continue;
                    throw new ReplicaFailedException("closed the WebSocket without answering");
                }
                if (Refused(message.Text) is { } refused)
                {
                    if (refused.Code == "websocket_connection_limit_reached" && attempt == 0) continue; // this connection is used up: a new one
                    handedOn = true;
                    Return(replica, socket); // nothing started on it: it stays usable
                    if (refused.Status >= 500 || refused.Status == 429)
                        throw new ReplicaFailedException($"HTTP {refused.Status}{(refused.Message is { Length: > 0 } m ? " " + m : "")}");
                    throw refusal(replica, refused.Status, message.Text);
                }
                handedOn = true;
                return new UpstreamStream(null, new UpstreamWebSocketEvents(socket, message, this, replica, options.IdleTimeout), replica, options);
            }
            finally
            {
                if (!handedOn) socket.Dispose();
            }
        }
    }

    // WebSocket mode answers a request it will not run with {type:"error", status, error:{…}}; a failure inside a
    // running response is an error event without status, which the translation reports
    private static (int Status, string? Code, string? Message)? Refused(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "error"
                || !root.TryGetProperty("status", out var status) || !status.TryGetInt32(out int code))
                return null;
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            return (code,
                error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
                error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null);
        }
        catch (JsonException)
        {
            return null; // not JSON: the translation fails the response with that
        }
    }

    private async Task<(UpstreamWebSocket Socket, bool Reused)> RentAsync(UpstreamReplica replica, Func<UpstreamReplica, int, string, ApiException> refusal, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var idle = _idle.GetOrAdd(replica, _ => new ConcurrentStack<UpstreamWebSocket>());
        while (idle.TryPop(out var socket))
        {
            if (!socket.IsClosed)
            {
                socket.DropStale();
                return (socket, true);
            }
            socket.Dispose();
        }
        return (await ConnectAsync(replica, refusal, cancellationToken), false);
    }

    /// <summary>Gives back a connection whose response ended; it is closed instead when it is gone, the pool is full or disposed.</summary>
    public void Return(UpstreamReplica replica, UpstreamWebSocket socket)
    {
        var idle = _idle.GetOrAdd(replica, _ => new ConcurrentStack<UpstreamWebSocket>());
        if (_disposed || socket.IsClosed || idle.Count >= MaxIdlePerReplica)
        {
            socket.Dispose();
            return;
        }
        idle.Push(socket);
        if (_disposed) CloseIdle(); // raced with Dispose
    }

    private async Task<UpstreamWebSocket> ConnectAsync(UpstreamReplica replica, Func<UpstreamReplica, int, string, ApiException> refusal, CancellationToken cancellationToken)
    {
        var http = replica.Endpoint("responses");
        var uri = new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true; // to tell a refused key or a server without WebSocket mode from a dead one
        client.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        if (options.ApiKey is { Length: > 0 } key) client.Options.SetRequestHeader("Authorization", "Bearer " + key);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await client.ConnectAsync(uri, timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
        {
            int status = (int)client.HttpStatusCode;
            client.Dispose();
            if (status is 401 or 403) throw refusal(replica, status, "");
            if (status >= 500 || status == 429) throw new ReplicaFailedException($"HTTP {status} to the WebSocket upgrade");
            if (status != 0)
                throw new ReplicaFailedException($"refused the WebSocket upgrade with HTTP {status}: the server may not speak the Responses WebSocket mode (set websocket = false to use HTTP/SSE)");
            if (e is OperationCanceledException) throw new ReplicaFailedException($"connect timed out after {options.ConnectTimeout.TotalSeconds:0.###} s");
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            throw new ReplicaFailedException($"cannot connect ({inner.Message})");
        }
        catch
        {
            client.Dispose();
            throw;
        }
        var socket = new UpstreamWebSocket(client);
        Interlocked.Increment(ref _opened);
        Interlocked.Increment(ref _open);
        _ = socket.Closed.ContinueWith(_ => Interlocked.Decrement(ref _open), TaskScheduler.Default);
        return socket;
    }

    private void CloseIdle()
    {
        foreach (var idle in _idle.Values)
            while (idle.TryPop(out var socket)) socket.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        CloseIdle();
    }
}
