namespace Spark.Server.Hosting;

/// <summary>How <c>spark serve</c> listens and what it accepts; bound from flags in one place (the CLI).</summary>
public sealed record SparkServerOptions
{
    /// <summary>Address to bind: an IP (default 127.0.0.1, local only), <c>localhost</c>, or <c>0.0.0.0</c> for every interface.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>When set, every endpoint but <c>/health</c> requires <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest request body accepted, in bytes; bigger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// While a streamed request waits for its first token (queued, or prefilling a long prompt), an SSE comment is sent
    /// this often so proxies and clients do not time out. Zero disables.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where finished responses are kept for <c>GET</c> and <c>previous_response_id</c>: in memory (default), SQLite or Redis.</summary>
    public Storage.ResponseStoreOptions Store { get; init; } = new();

    /// <summary>How many finished responses the in-memory store keeps.</summary>
    public int StoredResponses { get; init; } = 1000;

    /// <summary>WebSocket mode: lanes (<c>stream_id</c>s) one connection may run at once; one more gets <c>websocket_connection_limit_reached</c>.</summary>
    public int WebSocketMaxLanes { get; init; } = 8;

    /// <summary>WebSocket mode: finished responses a connection remembers for <c>previous_response_id</c> (even with <c>store: false</c>).</summary>
    public int WebSocketCachedResponses { get; init; } = 64;

    /// <summary>How long <c>POST /v1/responses/{id}/cancel</c> waits for the response to stop.</summary>
    public TimeSpan CancelTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
