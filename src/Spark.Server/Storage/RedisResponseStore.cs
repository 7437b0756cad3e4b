using Spark.Server.Errors;
using StackExchange.Redis;

namespace Spark.Server.Storage;

/// <summary>
/// Responses in Redis: one string key per response (<c>spark:response:{id}</c>, the JSON body) that expires after the
/// retention. Every Spark server pointed at the same Redis shares conversations. The connection is made (and checked
/// with a PING) at startup, so a wrong URL stops the server instead of failing the first request.
/// </summary>
internal sealed class RedisResponseStore : IResponseStore
{
    private const string KeyPrefix = "spark:response:";
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly TimeSpan _retention;

    private RedisResponseStore(ConnectionMultiplexer redis, int database, TimeSpan retention, string description)
    {
        _redis = redis;
        _db = redis.GetDatabase(database);
        _retention = retention;
        Description = description;
    }

    public string Description { get; }

    /// <exception cref="ArgumentException">The URL is malformed, or Redis cannot be reached or refuses us; the message never contains the password.</exception>
    public static RedisResponseStore Open(string url, TimeSpan retention, TimeSpan connectTimeout)
    {
        var target = RedisUrl.Parse(url);
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = true,
            ConnectTimeout = (int)connectTimeout.TotalMilliseconds,
            SyncTimeout = (int)connectTimeout.TotalMilliseconds,
            AsyncTimeout = (int)connectTimeout.TotalMilliseconds,
            ConnectRetry = 1,
            DefaultDatabase = target.Database,
            User = target.User,
            Password = target.Password,
            ClientName = "spark-serve",
        };
        options.EndPoints.Add(target.Host, target.Port);
        ConnectionMultiplexer? redis = null;
        try
        {
            redis = ConnectionMultiplexer.Connect(options);
            redis.GetDatabase(target.Database).Ping();
            return new RedisResponseStore(redis, target.Database, retention, $"redis {target.Display}");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis?.Dispose();
            throw new ArgumentException($"response store: cannot use Redis at {target.Display} ({FirstLine(e.Message, target.Password)}); start redis-server there or fix --redis-url (redis://[:PASSWORD@]HOST:PORT[/DB])", e);
        }
    }

    public Task SaveAsync(StoredResponse stored, CancellationToken cancellationToken) =>
        RunAsync(() => _db.StringSetAsync(KeyPrefix + stored.Response.Id, StoredResponseCodec.Encode(stored), _retention), cancellationToken);

    public async Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var value = await RunAsync(() => _db.StringGetAsync(KeyPrefix + id), cancellationToken);
        return value.IsNull ? null : StoredResponseCodec.Decode((byte[])value!, $"'{id}' in {Description}");
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        RunAsync(() => _db.KeyDeleteAsync(KeyPrefix + id), cancellationToken);

    public void Dispose() => _redis.Dispose();

    private async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new ApiException(503, "server_error", "response_store_unavailable", null,
                $"The response store ({Description}) failed: {FirstLine(e.Message, null)}. Retry; if it persists, check that Redis is up.");
        }
    }

    private static string FirstLine(string message, string? secret)
    {
        string line = message.Split('\n')[0].Trim();
        return string.IsNullOrEmpty(secret) ? line : line.Replace(secret, "***", StringComparison.Ordinal);
    }
}
