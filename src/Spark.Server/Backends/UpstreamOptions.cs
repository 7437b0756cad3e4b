namespace Spark.Server.Backends;

/// <summary>The wire protocol an upstream server speaks.</summary>
public enum UpstreamProtocol
{
    /// <summary>OpenAI Chat Completions (<c>POST {base_url}/chat/completions</c>, SSE): vLLM, SGLang, TGI, llama.cpp, Ollama, cloud APIs.</summary>
    Chat,
    /// <summary>OpenAI Responses (<c>POST {base_url}/responses</c>, SSE; or WebSocket mode with <see cref="UpstreamOptions.WebSocket"/>): OpenAI, another Spark server.</summary>
    Responses,
}

/// <summary>One model served by an upstream server (<c>[models.NAME]</c> with <c>backend = "openai-chat"</c> or <c>"openai-responses"</c>).</summary>
public sealed record UpstreamOptions
{
    /// <summary>The alias clients send as <c>model</c>.</summary>
    public required string Alias { get; init; }

    /// <summary>The protocol.</summary>
    public required UpstreamProtocol Protocol { get; init; }

    /// <summary>The replicas' base URLs, e.g. <c>http://gpu1:8000/v1</c>; at least one.</summary>
    public required IReadOnlyList<Uri> Replicas { get; init; }

    /// <summary>The model name the upstream knows (default: the alias).</summary>
    public string? Model { get; init; }

    /// <summary>The environment variable holding the upstream's API key (sent as a bearer token, never logged).</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>The key itself, read from <see cref="ApiKeyEnv"/> at startup.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Context length reported by <c>GET /v1/models</c>; 0 when unknown.</summary>
    public int ContextLength { get; init; }

    /// <summary>How long a TCP/TLS connect may take before the replica counts as down.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after sending the request the first event may take (response headers, then the first token).</summary>
    public TimeSpan FirstTokenTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The longest silence allowed between two events of a running stream.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often replicas are probed (<c>GET {base_url}/models</c>); a down replica is retried with doubling backoff up to 8 times this.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Responses only (<c>websocket = true</c>): reach the upstream in WebSocket mode on <c>ws(s)://…/responses</c>,
    /// over connections kept open per replica (one response at a time on each), instead of one HTTP request per turn.
    /// </summary>
    public bool WebSocket { get; init; }

    /// <summary>The name the upstream is sent.</summary>
    public string UpstreamModel => Model ?? Alias;

    /// <summary>"openai-chat" or "openai-responses", as in spark.toml.</summary>
    public string BackendName => Protocol == UpstreamProtocol.Chat ? "openai-chat" : "openai-responses";
}
