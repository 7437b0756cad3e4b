namespace Spark.Agent.Client;

/// <summary>How the client talks to the Responses API (<c>--transport</c>).</summary>
public enum ClientTransport
{
    /// <summary>A WebSocket when the server accepts the upgrade, else HTTP/SSE (said once in a notice).</summary>
    Auto,
    /// <summary>POST /v1/responses with <c>stream: true</c>, read as server-sent events.</summary>
    Http,
    /// <summary>One persistent WebSocket per session; a refused upgrade is an error.</summary>
    WebSocket,
}

/// <summary>The command-line spellings of <see cref="ClientTransport"/> (<c>auto</c>, <c>http</c>, <c>ws</c>).</summary>
public static class ClientTransports
{
    /// <summary>Parses a command-line value.</summary>
    /// <exception cref="ArgumentException">The value is not auto, http or ws.</exception>
    public static ClientTransport Parse(string value) => value.Trim() switch
    {
        "auto" => ClientTransport.Auto,
        "http" => ClientTransport.Http,
        "ws" => ClientTransport.WebSocket,
        _ => throw new ArgumentException($"Unknown transport '{value}'; use auto, http or ws.", nameof(value)),
    };

    /// <summary>
    /// Opens the session's transport. <c>auto</c> tries the WebSocket upgrade and, when the server refuses it, falls
    /// back to HTTP/SSE once and says so through <paramref name="onNotice"/>; <c>ws</c> is not downgraded, since the
    /// user asked for it by name.
    /// </summary>
    /// <exception cref="ResponsesApiException"><c>ws</c> and the upgrade was refused.</exception>
    public static async Task<IResponsesTransport> OpenAsync(ClientTransport transport, ResponsesEndpoint endpoint,
        Action<string> onNotice, CancellationToken cancellationToken)
    {
        if (transport == ClientTransport.Http) return new HttpResponsesTransport(endpoint);
        try
        {
            return await WebSocketResponsesTransport.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (ResponsesApiException e) when (transport == ClientTransport.Auto && e.Code == WebSocketResponsesTransport.UpgradeRefusedCode)
        {
            string why = e.Status is { } status ? $"answered {status}" : "refused the connection";
            onNotice($"The server {why} to the WebSocket upgrade; using HTTP/SSE for this session (no prewarm or steering).");
            return new HttpResponsesTransport(endpoint);
        }
    }
}
