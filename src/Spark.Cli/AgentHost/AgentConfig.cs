namespace Spark.Cli.AgentHost;

/// <summary>One <c>[model_providers.NAME]</c> table of <c>~/.spark/config.toml</c>: a Responses API the agent can use.</summary>
/// <param name="Name">The table's name (what <c>model_provider</c> refers to).</param>
/// <param name="BaseUrl">The API root, e.g. <c>https://api.openai.com/v1</c>.</param>
/// <param name="EnvKey">The environment variable holding its API key, or null for none.</param>
/// <param name="WireApi"><c>responses</c> (the only one Spark's agent speaks) or <c>chat</c>.</param>
/// <param name="SupportsWebSockets">False to use HTTP/SSE without trying the WebSocket upgrade.</param>
internal sealed record ModelProvider(string Name, string BaseUrl, string? EnvKey, string WireApi, bool SupportsWebSockets);

/// <summary>The agent defaults a config file (or one of its <c>[profiles.NAME]</c>) gives; null where it says nothing.</summary>
internal sealed record AgentDefaults(string? Model, string? ModelProvider, string? ApprovalPolicy, string? SandboxMode);

/// <summary>
/// <c>~/.spark/config.toml</c>, in the shape Codex users know: <c>model</c>, <c>model_provider</c>,
/// <c>approval_policy</c>, <c>sandbox_mode</c>, <c>[model_providers.NAME]</c> and <c>[profiles.NAME]</c>.
/// </summary>
internal sealed record AgentConfig(string? FilePath, AgentDefaults Defaults, IReadOnlyDictionary<string, ModelProvider> Providers, IReadOnlyDictionary<string, AgentDefaults> Profiles)
{
    /// <summary>No config file.</summary>
    public static AgentConfig Empty { get; } = new(null, new AgentDefaults(null, null, null, null), new Dictionary<string, ModelProvider>(), new Dictionary<string, AgentDefaults>());

    /// <summary>The config file's place under Spark's home folder.</summary>
    public static string PathIn(string home) => Path.Join(home, "config.toml");
}
