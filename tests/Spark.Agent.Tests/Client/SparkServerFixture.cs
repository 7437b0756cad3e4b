using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Backends;
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
    private SparkModel? _model;
    private LocalEngineBackend? _backend;
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string path = _dir.File("tiny.gguf");
        SyntheticModel.Write(DefaultModel.Spec, path);
        _model = SparkModel.Load(path, new ModelLoadOptions { Threads = 1, ContextLength = 4096 });
        _backend = new LocalEngineBackend(_model, ModelId, NullLogger.Instance);
        _backend.WarmUp();
        _app = SparkServer.Build(new SparkServerOptions { Port = 0, ApiKey = ApiKey }, _backend, logging: _ => { });
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.Single() + "/v1");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _backend?.Dispose();
        _model?.Dispose();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SparkServerCollection : ICollectionFixture<SparkServerFixture>
{
    public const string Name = "spark-server";
}
