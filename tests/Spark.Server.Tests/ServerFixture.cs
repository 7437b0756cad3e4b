using System.Net.Http.Headers;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Backends;
using Spark.Server.Hosting;
using Spark.Testing;

namespace Spark.Server.Tests;

/// <summary>
/// One real Kestrel server on 127.0.0.1 (free port) serving Spark's tiny synthetic model (2 layers, 64 wide, a real
/// SentencePiece vocabulary and chat template), with an API key and a 64 KiB body limit. Shared by every test in
/// the <see cref="ServerCollection"/>; the engine runs one generation at a time, so those tests run one by one.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string ApiKey = "test-key";
    public const string ModelId = "spark-tiny";
    public const int ContextLength = 8192;
    public const long BodyLimit = 64 * 1024;
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(20);

    private readonly TempDirectory _dir = new();
    private LocalModelHost? _host;

    public LocalEngineBackend Backend { get; private set; } = null!;
    public SparkModel Model => _host!.Model;
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string path = _dir.File("tiny.gguf");
        SyntheticModel.Write(DefaultModel.Spec, path);
        _host = await LocalModelHost.StartAsync(path, ModelId, new ModelLoadOptions { Threads = 1, ContextLength = ContextLength },
            new SparkServerOptions { Port = 0, ApiKey = ApiKey, MaxRequestBodyBytes = BodyLimit, HeartbeatInterval = HeartbeatInterval }, logging: _ => { });
        Backend = _host.Backend;
        BaseAddress = new Uri(_host.Url);
        Http = NewClient();
    }

    /// <summary>A client with the API key set.</summary>
    public HttpClient NewClient(string? apiKey = ApiKey, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new SocketsHttpHandler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
