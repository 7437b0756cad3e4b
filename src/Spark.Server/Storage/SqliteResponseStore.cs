using Microsoft.Data.Sqlite;
using Spark.Server.Errors;

namespace Spark.Server.Storage;

/// <summary>
/// Responses in a SQLite file: one row per response (<c>id</c>, <c>created_at</c>, the JSON <c>body</c>). The file is in
/// WAL mode, so several Spark servers on one machine can read and write it at once; a writer that finds it locked
/// retries for up to 30 s. Rows older than the retention are dropped when a server opens the file. Commits do not
/// wait for the disk (<c>synchronous=NORMAL</c>, SQLite's recommendation for WAL): a response is stored before its
/// terminal event is sent, and waiting for an fsync there cost every response ~4 ms (often more) of the client's
/// time; a crash of the process loses nothing, only a power loss or OS crash can drop the last responses written.
/// </summary>
internal sealed class SqliteResponseStore : IResponseStore
{
    private readonly string _connectionString;
    private readonly string _path;

    private SqliteResponseStore(string path)
    {
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 30, Pooling = true }.ToString();
    }

    public string Description => $"sqlite {_path}";

    /// <summary>Creates the file (and its folder) when missing, checks it is a usable SQLite database and prunes old rows.</summary>
    /// <exception cref="ArgumentException">The path cannot hold a SQLite database; says why.</exception>
    public static SqliteResponseStore Open(string path, TimeSpan retention)
    {
        string full = Path.GetFullPath(Environment.ExpandEnvironmentVariables(path.StartsWith('~') ? Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[1..]) : path));
        if (Directory.Exists(full)) throw new ArgumentException($"response store: --store-path '{full}' is a folder; name a file, e.g. {Path.Join(full, "responses.db")}");
        var store = new SqliteResponseStore(full);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using var connection = store.Connect();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, body BLOB NOT NULL);");
            Execute(connection, "CREATE INDEX IF NOT EXISTS responses_created_at ON responses (created_at);");
            using var prune = connection.CreateCommand();
            prune.CommandText = "DELETE FROM responses WHERE created_at < $cutoff;";
            prune.Parameters.AddWithValue("$cutoff", DateTimeOffset.UtcNow.Add(-retention).ToUnixTimeSeconds());
            prune.ExecuteNonQuery();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            SqliteConnection.ClearAllPools();
            throw new ArgumentException($"response store: cannot use '{full}' as a SQLite database ({Reason(e)}); pass --store-path with a writable file, or --store memory", e);
        }
        return store;
    }

    public async Task SaveAsync(StoredResponse stored, CancellationToken cancellationToken)
    {
        byte[] body = StoredResponseCodec.Encode(stored);
        await RunAsync(async connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO responses (id, created_at, body) VALUES ($id, $created, $body);";
            command.Parameters.AddWithValue("$id", stored.Response.Id);
            command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("$body", body);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    public Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM responses WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        var body = (byte[]?)await command.ExecuteScalarAsync(cancellationToken);
        return body is null ? null : StoredResponseCodec.Decode(body, $"'{id}' in {_path}");
    });

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM responses WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    });

    public void Dispose() => SqliteConnection.ClearAllPools();

    internal SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL;"); // per connection: pooled ones keep it, but a new one starts at FULL
        return connection;
    }

    private async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work)
    {
        try
        {
            using var connection = Connect();
            return await work(connection);
        }
        catch (SqliteException e)
        {
            throw new ApiException(503, "server_error", "response_store_unavailable", null,
                $"The response store ({Description}) failed: {Reason(e)}. Retry; if it persists, check the file and the disk.");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Reason(Exception e) => e is SqliteException sqlite ? sqlite.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal) : e.Message;
}
