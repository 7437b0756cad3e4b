namespace Spark.Cli.Bench.Latency;

/// <summary>What one <c>spark bench latency</c> run measures.</summary>
/// <param name="BaseUrl">The server, e.g. <c>http://127.0.0.1:8080</c> (its <c>/v1/responses</c> is used).</param>
/// <param name="Model">The <c>model</c> sent with each request.</param>
/// <param name="ApiKey">Bearer key, or null.</param>
/// <param name="Turns">Turns per conversation.</param>
/// <param name="Concurrency">The concurrency levels, run in this order: at each, every transport runs that many conversations at once.</param>
/// <param name="Transports">The transports, run one after another.</param>
/// <param name="PromptTokens">About how many tokens the first turn's message has.</param>
/// <param name="OutputTokens">max_output_tokens of each turn.</param>
internal sealed record LatencyBenchOptions(Uri BaseUrl, string Model, string? ApiKey, int Turns, IReadOnlyList<int> Concurrency,
    IReadOnlyList<BenchTransport> Transports, int PromptTokens, int OutputTokens)
{
    /// <summary>
    /// Agent-like turns (the default): the user's message is answered by a forced tool call, whose output goes back
    /// as <c>function_call_output</c> with <c>previous_response_id</c> and is answered by text — two requests per turn.
    /// False: one plain message per turn (<c>--no-tool-calls</c>, for servers without tool calling).
    /// </summary>
    public bool ToolCalls { get; init; } = true;

    /// <summary>Output limit of a turn's tool-call request: room for the call whatever --output-tokens is.</summary>
    public int ToolCallOutputTokens => Math.Max(OutputTokens, 64);

    /// <summary>The HTTP endpoint.</summary>
    public Uri ResponsesUrl => new(BaseUrl, "v1/responses");

    /// <summary>The same endpoint as a WebSocket URL.</summary>
    public Uri WebSocketUrl => new UriBuilder(ResponsesUrl) { Scheme = BaseUrl.Scheme == "https" ? "wss" : "ws" }.Uri;

    /// <summary>Checks the numbers; throws ArgumentException naming the flag.</summary>
    public void Validate()
    {
        if (BaseUrl.Scheme is not ("http" or "https")) throw new ArgumentException($"--url must be an http:// or https:// URL; got '{BaseUrl}'");
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("--model must not be empty");
        if (Turns is < 1 or > 1000) throw new ArgumentException($"--turns must be 1-1000; got {Turns}");
        if (Concurrency.Count == 0) throw new ArgumentException("--concurrency needs at least one level");
        foreach (int level in Concurrency)
            if (level is < 1 or > ConcurrencyLevels.Max) throw new ArgumentException($"--concurrency levels must be 1-{ConcurrencyLevels.Max}; got {level}");
        if (PromptTokens is < 1 or > 1_000_000) throw new ArgumentException($"--prompt-tokens must be 1-1000000; got {PromptTokens}");
        if (OutputTokens is < 1 or > 100_000) throw new ArgumentException($"--output-tokens must be 1-100000; got {OutputTokens}");
    }
}
