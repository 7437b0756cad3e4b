using Spark.Server.Backends;
using Spark.Server.Routing;
using Spark.Server.Storage;

namespace Spark.Server.Config;

/// <summary>What a <c>spark.toml</c> says: how the server listens and stores, the models by alias, and the auto policy.</summary>
public sealed record SparkConfig
{
    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }

    /// <summary><c>[server] host</c>, or null for the default.</summary>
    public string? Host { get; init; }

    /// <summary><c>[server] port</c>, or null for the default.</summary>
    public int? Port { get; init; }

    /// <summary><c>[server] api_key_env</c>: the variable holding the key clients must send.</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary><c>[server] store</c>, <c>store_path</c>, <c>redis_url</c>, or null for the default.</summary>
    public ResponseStoreOptions? Store { get; init; }

    /// <summary>The models in file order (the first is the default).</summary>
    public required IReadOnlyList<ModelConfig> Models { get; init; }

    /// <summary><c>[auto]</c>, when present.</summary>
    public AutoPolicy? Auto { get; init; }
}

/// <summary>One <c>[models.NAME]</c>: a local GGUF model or an upstream server.</summary>
public sealed record ModelConfig
{
    /// <summary>The alias (NAME).</summary>
    public required string Alias { get; init; }

    /// <summary><c>local</c>, <c>openai-chat</c> or <c>openai-responses</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>Local: the GGUF file (null: the built-in model).</summary>
    public string? Path { get; init; }

    /// <summary>Local: context length; upstream: what <c>/v1/models</c> reports.</summary>
    public int? Ctx { get; init; }

    /// <summary>Local: worker threads.</summary>
    public int? Threads { get; init; }

    /// <summary>Upstream: the resolved options (replicas, key, timeouts).</summary>
    public UpstreamOptions? Upstream { get; init; }
}
