using System.Net;
using System.Net.Sockets;
using Spark.Protocol.Responses;
using Spark.Server.Errors;
using Spark.Server.Storage;
using Spark.Testing;

namespace Spark.Server.Tests.Storage;

public class ResponseStoreTests
{
    private static StoredResponse Sample(string id) => new(
        new ResponseObject { Id = id, CreatedAt = 1_700_000_000, Status = ResponseStatus.Completed, Model = "m", Store = true,
            Output = [new FunctionCallItem { Id = "fc_1", CallId = "call_1", Name = "shell", Arguments = """{"cmd":["ls"]}""", Status = ResponseStatus.Completed }] },
        [
            new MessageItem { Role = "user", Content = [ContentPart.InputText("list files ✓")] },
            new FunctionCallItem { Id = "fc_1", CallId = "call_1", Name = "shell", Arguments = """{"cmd":["ls"]}""", Status = ResponseStatus.Completed },
            new FunctionCallOutputItem { CallId = "call_1", Output = "a.txt\nb.txt" },
        ]);

    private static async Task AssertRoundTripsAsync(IResponseStore store)
    {
        var stored = Sample("resp_" + Guid.NewGuid().ToString("N"));
        await store.SaveAsync(stored, default);
        var found = await store.FindAsync(stored.Response.Id, default);
        Assert.NotNull(found);
        Assert.Equal(StoredResponseCodec.Encode(stored), StoredResponseCodec.Encode(found));
        var call = Assert.IsType<FunctionCallItem>(found.Conversation[1]);
        Assert.Equal("call_1", call.CallId);
        Assert.Equal("list files ✓", Assert.IsType<MessageItem>(found.Conversation[0]).Text());
        Assert.Null(await store.FindAsync("resp_missing", default));
        Assert.True(await store.DeleteAsync(stored.Response.Id, default));
        Assert.False(await store.DeleteAsync(stored.Response.Id, default));
        Assert.Null(await store.FindAsync(stored.Response.Id, default));
    }

    [Fact]
    public async Task Memory_RoundTrips_AndForgetsTheOldestPastItsCapacity()
    {
        using var store = new MemoryResponseStore(2);
        await AssertRoundTripsAsync(store);
        foreach (string id in new[] { "r1", "r2", "r3" }) await store.SaveAsync(Sample(id), default);
        Assert.Null(await store.FindAsync("r1", default));
        Assert.NotNull(await store.FindAsync("r3", default));
    }

    [Fact]
    public async Task Sqlite_RoundTrips_AndKeepsRowsAcrossReopening()
    {
        using var dir = new TempDirectory();
        string path = dir.File("deep/er/responses.db");
        using (var store = SqliteResponseStore.Open(path, TimeSpan.FromDays(1)))
        {
            await AssertRoundTripsAsync(store);
            await store.SaveAsync(Sample("resp_kept"), default);
        }
        using var reopened = SqliteResponseStore.Open(path, TimeSpan.FromDays(1));
        Assert.NotNull(await reopened.FindAsync("resp_kept", default));
        Assert.Contains(path, reopened.Description);
    }

    [Fact]
    public async Task Sqlite_CommitsWithoutWaitingForTheDisk_InWalMode()
    {
        using var dir = new TempDirectory();
        using var store = SqliteResponseStore.Open(Path.Combine(dir.Path, "responses.db"), TimeSpan.FromDays(1));
        await store.SaveAsync(Sample("resp_1"), default);
        using var connection = store.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(1L, (long)command.ExecuteScalar()!); // NORMAL: no fsync per commit (the WAL is synced at checkpoints)
    }

    [Fact]
    public async Task Sqlite_DropsResponsesOlderThanTheRetention_WhenOpened()
    {
        using var dir = new TempDirectory();
        string path = dir.File("responses.db");
        using (var store = SqliteResponseStore.Open(path, TimeSpan.FromDays(1))) await store.SaveAsync(Sample("resp_old"), default);
        using var strict = SqliteResponseStore.Open(path, TimeSpan.FromSeconds(-5)); // everything is older than "5 s in the future"
        Assert.Null(await strict.FindAsync("resp_old", default));
    }

    [RedisFact]
    public async Task Redis_RoundTrips_AndSetsTheRetentionAsExpiry()
    {
        using var redis = await RedisServerProcess.StartAsync();
        using var store = RedisResponseStore.Open(redis.Url, TimeSpan.FromDays(30), TimeSpan.FromSeconds(5));
        await AssertRoundTripsAsync(store);
        Assert.Equal($"redis 127.0.0.1:{redis.Port}/0", store.Description);

        var retention = TimeSpan.FromMilliseconds(1500);
        using var shortLived = RedisResponseStore.Open(redis.Url + "/1", retention, TimeSpan.FromSeconds(5));
        var sinceSave = System.Diagnostics.Stopwatch.StartNew();
        await shortLived.SaveAsync(Sample("resp_brief"), default);
        // under heavy load the lookup itself can come after the retention: then a miss is the expiry this test wants
        var found = await shortLived.FindAsync("resp_brief", default);
        Assert.True(found is not null || sinceSave.Elapsed >= retention, $"the response was gone {sinceSave.ElapsedMilliseconds} ms after saving it with a {retention.TotalMilliseconds} ms retention");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await shortLived.FindAsync("resp_brief", default) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "Redis did not expire the response after its retention");
            await Task.Delay(100);
        }
    }

    [RedisFact]
    public async Task Redis_ThatStops_Gives503StoreUnavailable()
    {
        var redis = await RedisServerProcess.StartAsync();
        // a generous timeout: connecting to a just-started redis-server took over 1 s in CI at load average ~25; once
        // the server is gone the multiplexer has no connection and the lookup fails at once, whatever the timeout
        using var store = RedisResponseStore.Open(redis.Url, TimeSpan.FromDays(1), TimeSpan.FromSeconds(10));
        redis.Dispose();
        var e = await Assert.ThrowsAsync<ApiException>(() => store.FindAsync("resp_x", default));
        Assert.Equal(503, e.Status);
        Assert.Equal("response_store_unavailable", e.Code);
    }

    [Fact]
    public void Redis_Unreachable_IsAStartupErrorThatNeverShowsThePassword()
    {
        int port = ClosedPort();
        var e = Assert.Throws<ArgumentException>(() => RedisResponseStore.Open($"redis://:s3cret-pw@127.0.0.1:{port}/2", TimeSpan.FromDays(1), TimeSpan.FromMilliseconds(500)));
        Assert.Contains($"cannot use Redis at 127.0.0.1:{port}/2", e.Message);
        Assert.Contains("--redis-url", e.Message);
        Assert.DoesNotContain("s3cret-pw", e.Message);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6380/3", "127.0.0.1", 6380, 3, null, null)]
    [InlineData("localhost", "localhost", 6379, 0, null, null)]
    [InlineData("10.0.0.5:7000", "10.0.0.5", 7000, 0, null, null)]
    [InlineData("redis://:p%40ss@h:1", "h", 1, 0, null, "p@ss")]
    [InlineData("redis://me:pw@h", "h", 6379, 0, "me", "pw")]
    public void RedisUrl_Parses(string url, string host, int port, int db, string? user, string? password) =>
        Assert.Equal(new RedisUrl(host, port, db, user, password), RedisUrl.Parse(url));

    [Theory]
    [InlineData("http://h:1", "scheme 'http' is not supported")]
    [InlineData("redis://h:1/x", "database 'x' is not a number")]
    [InlineData("redis://", "is not a URL")]
    public void RedisUrl_Bad_SaysTheForm(string url, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(url));
        Assert.Contains(message, e.Message);
        Assert.Contains("redis://", e.Message);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again once disposed
    }
}
