namespace Spark.Agent.Client;

/// <summary>How the client talks to the Responses API (<c>--transport</c>).</summary>
public enum ClientTransport
{
    /// <summary>The best transport this client supports against the server: HTTP/SSE today, WebSocket once it lands.</summary>
    Auto,
    /// <summary>POST /v1/responses with <c>stream: true</c>, read as server-sent events.</summary>
    Http,
    /// <summary>One persistent WebSocket per session (not supported by this client yet).</summary>
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
    /// Creates the transport for a mode. <c>auto</c> is HTTP/SSE until the client learns WebSocket; <c>ws</c> is
    /// refused with a clear error rather than silently downgraded, since the user asked for it by name.
    /// </summary>
    /// <exception cref="NotSupportedException"><paramref name="transport"/> is <see cref="ClientTransport.WebSocket"/>.</exception>
    public static IResponsesTransport Create(ClientTransport transport, ResponsesEndpoint endpoint)
    {
        EnsureSupported(transport);
        return new HttpResponsesTransport(endpoint);
    }

    /// <summary>Fails at once for a transport this client cannot use, before anything expensive (loading a model) starts.</summary>
    /// <exception cref="NotSupportedException"><paramref name="transport"/> is <see cref="ClientTransport.WebSocket"/>.</exception>
    public static void EnsureSupported(ClientTransport transport)
    {
        if (transport == ClientTransport.WebSocket)
            throw new NotSupportedException(
                "--transport ws: the WebSocket transport is not supported yet by this client; use --transport http (or auto, which uses HTTP/SSE).");
    }
}
