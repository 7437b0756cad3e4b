namespace Spark.Server.Storage;

/// <summary>Opens the store that <see cref="ResponseStoreOptions"/> describe, failing at startup (not at the first request) when it cannot be used.</summary>
internal static class ResponseStores
{
    /// <exception cref="ArgumentException">The configuration is incomplete or the store cannot be opened; the message says what and how to fix it.</exception>
    public static IResponseStore Open(ResponseStoreOptions options, int memoryCapacity) => options.Kind switch
    {
        ResponseStoreKind.Memory => new MemoryResponseStore(memoryCapacity),
        ResponseStoreKind.Sqlite => SqliteResponseStore.Open(
            string.IsNullOrWhiteSpace(options.SqlitePath)
                ? throw new ArgumentException("the sqlite response store needs a file: pass --store-path FILE (or store_path in spark.toml)")
                : options.SqlitePath, options.Retention),
        ResponseStoreKind.Redis => RedisResponseStore.Open(
            string.IsNullOrWhiteSpace(options.RedisUrl)
                ? throw new ArgumentException("the redis response store needs a server: pass --redis-url redis://HOST:PORT (or redis_url in spark.toml)")
                : options.RedisUrl, options.Retention, options.ConnectTimeout),
        _ => throw new ArgumentException($"unknown response store kind {options.Kind}"),
    };
}
