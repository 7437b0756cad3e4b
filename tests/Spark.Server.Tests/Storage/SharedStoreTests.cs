using Spark.Server.Hosting;
using Spark.Server.Storage;
using Spark.Testing;

namespace Spark.Server.Tests.Storage;

public class SharedStoreTests
{
    [Fact]
    public async Task TwoServers_SharingOneSqliteFile_ContinueEachOthersConversations()
    {
        using var dir = new TempDirectory();
        var options = new SparkServerOptions { Store = new ResponseStoreOptions { Kind = ResponseStoreKind.Sqlite, SqlitePath = dir.File("shared/responses.db") } };
        await using var a = await TinyServer.StartAsync(dir, options);
        await using var b = await TinyServer.StartAsync(dir, options);
        await SharedConversation.AssertSharedAsync(a, b);
    }

    [RedisFact]
    public async Task TwoServers_SharingOneRedis_ContinueEachOthersConversations()
    {
        using var redis = await RedisServerProcess.StartAsync();
        using var dir = new TempDirectory();
        var options = new SparkServerOptions { Store = new ResponseStoreOptions { Kind = ResponseStoreKind.Redis, RedisUrl = redis.Url } };
        await using var a = await TinyServer.StartAsync(dir, options);
        await using var b = await TinyServer.StartAsync(dir, options);
        await SharedConversation.AssertSharedAsync(a, b);
    }

    [Fact]
    public async Task SqliteStore_OutlivesTheServer()
    {
        using var dir = new TempDirectory();
        var options = new SparkServerOptions { Store = new ResponseStoreOptions { Kind = ResponseStoreKind.Sqlite, SqlitePath = dir.File("responses.db") } };
        string id;
        await using (var before = await TinyServer.StartAsync(dir, options))
        {
            using var created = await Endpoints.HttpExtensions.PostJsonAsync(before.Http, "/v1/responses", """{"model":"spark-tiny","input":"Hi","max_output_tokens":2}""");
            id = (await Endpoints.HttpExtensions.JsonAsync(created)).GetProperty("id").GetString()!;
        }
        await using var after = await TinyServer.StartAsync(dir, options);
        using var fetched = await after.Http.GetAsync($"/v1/responses/{id}");
        Assert.Equal(id, (await Endpoints.HttpExtensions.JsonAsync(fetched)).GetProperty("id").GetString());
    }

    [Fact]
    public void BadStoreConfig_StopsStartup_WithWhatToFix()
    {
        using var dir = new TempDirectory();
        var backend = new NoBackend();
        var folder = Assert.Throws<ArgumentException>(() => SparkServer.Build(
            new SparkServerOptions { Port = 0, Store = new ResponseStoreOptions { Kind = ResponseStoreKind.Sqlite, SqlitePath = dir.Path } }, backend, _ => { }));
        Assert.Contains("is a folder", folder.Message);

        File.WriteAllText(dir.File("notes.txt"), "these are not the rows you are looking for, just text that is long enough to not be a database header.");
        var notDatabase = Assert.Throws<ArgumentException>(() => SparkServer.Build(
            new SparkServerOptions { Port = 0, Store = new ResponseStoreOptions { Kind = ResponseStoreKind.Sqlite, SqlitePath = dir.File("notes.txt") } }, backend, _ => { }));
        Assert.Contains("cannot use", notDatabase.Message);
        Assert.Contains("notes.txt", notDatabase.Message);

        var missing = Assert.Throws<ArgumentException>(() => SparkServer.Build(
            new SparkServerOptions { Port = 0, Store = new ResponseStoreOptions { Kind = ResponseStoreKind.Redis } }, backend, _ => { }));
        Assert.Contains("--redis-url", missing.Message);
    }

    /// <summary>Startup fails before any backend is asked anything.</summary>
    private sealed class NoBackend : Spark.Server.Backends.IModelBackend
    {
        public string ModelId => "none";
        public int ContextLength => 0;
        public long CreatedAt => 0;
        public int QueueDepth => 0;
        public Spark.Server.Backends.IGeneration Start(Spark.Server.Backends.GenerationRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");
    }
}
