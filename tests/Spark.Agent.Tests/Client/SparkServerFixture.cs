using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Hosting;
using Spark.Testing;

namespace Spark.Agent.Tests.Client;

/// <summary>
/// Spark's real server (Kestrel on 127.0.0.1, free port, WebSocket mode on) serving the tiny synthetic model, shared
/// by the tests of <see cref="SparkServerCollection"/>; the engine runs one generation at a time.
/// </summary>
public sealed class SparkServerFixture : IAsyncLifetime
{
    public const string ApiKey = "test-key";
    public const string ModelId = "spark-tiny";

    private readonly TempDirectory _dir = new();
    private LocalModelHost? _host;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string path = _dir.File("tiny.gguf");
        SyntheticModel.Write(DefaultModel.Spec, path);
        _host = await LocalModelHost.StartAsync(path, ModelId, new ModelLoadOptions { Threads = 1, ContextLength = 4096 },
            new SparkServerOptions { Port = 0, ApiKey = ApiKey }, logging: _ => { });
        BaseUrl = new Uri(_host.Url + "/v1");
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SparkServerCollection : ICollectionFixture<SparkServerFixture>
{
    public const string Name = "spark-server";
}
