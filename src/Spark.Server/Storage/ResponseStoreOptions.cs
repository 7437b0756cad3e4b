namespace Spark.Server.Storage;

/// <summary>Which response store a server uses (<c>spark serve --store</c>, <c>[server] store</c> in spark.toml).</summary>
public enum ResponseStoreKind
{
    /// <summary>In this process only: lost on restart, not shared. The default for in-process hosts and tests.</summary>
    Memory,
    /// <summary>A SQLite file; servers on one machine (or a shared disk) that name the same file share conversations.</summary>
    Sqlite,
    /// <summary>A Redis server; every Spark server pointed at it shares conversations.</summary>
    Redis,
}

/// <summary>Where finished responses are kept, so <c>previous_response_id</c> works across restarts and servers.</summary>
public sealed record ResponseStoreOptions
{
    /// <summary>The kind of store.</summary>
    public ResponseStoreKind Kind { get; init; } = ResponseStoreKind.Memory;

    /// <summary>The SQLite file (created, with its folder, when missing); required for <see cref="ResponseStoreKind.Sqlite"/>.</summary>
    public string? SqlitePath { get; init; }

    /// <summary>The Redis server, <c>redis://[:password@]host[:port][/db]</c> or <c>host:port</c>; required for <see cref="ResponseStoreKind.Redis"/>.</summary>
    public string? RedisUrl { get; init; }

    /// <summary>How long SQLite and Redis keep a response (Redis expires it, SQLite drops it at the next start); 30 days, like OpenAI's.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long connecting to Redis may take before the server refuses to start.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses the <c>--store</c> / <c>store =</c> value: <c>memory</c>, <c>sqlite</c> or <c>redis</c>.</summary>
    /// <exception cref="ArgumentException">Any other value, with the ones accepted.</exception>
    public static ResponseStoreKind ParseKind(string value, string where) => value.Trim().ToLowerInvariant() switch
    {
        "memory" => ResponseStoreKind.Memory,
        "sqlite" => ResponseStoreKind.Sqlite,
        "redis" => ResponseStoreKind.Redis,
        _ => throw new ArgumentException($"{where}: unknown store '{value}'; use memory, sqlite or redis"),
    };
}
