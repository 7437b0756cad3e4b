using System.Net.Http.Headers;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Hosting;
using Spark.Testing;

namespace Spark.Server.Tests.Storage;

/// <summary>
/// A real Spark server (Kestrel on 127.0.0.1, free port) on the tiny synthetic model, with the response store the test
/// chooses: several of them stand in for servers behind one load balancer.
/// </summary>
internal sealed class TinyServer : IAsyncDisposable
{
    public const string ModelId = "spark-tiny";

    private readonly LocalModelHost _host;

    private TinyServer(LocalModelHost host)
    {
        _host = host;
        Http = new HttpClient { BaseAddress = new Uri(host.Url), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Http { get; }

    /// <summary>Writes the tiny model into <paramref name="dir"/> (once) and starts a server on it.</summary>
    public static async Task<TinyServer> StartAsync(TempDirectory dir, SparkServerOptions options)
    {
        string path = dir.File("tiny.gguf");
        lock (typeof(TinyServer))
        {
            if (!File.Exists(path)) SyntheticModel.Write(DefaultModel.Spec, path);
        }
        var host = await LocalModelHost.StartAsync(path, ModelId, new ModelLoadOptions { Threads = 1, ContextLength = 2048 },
            options with { Port = 0 }, logging: _ => { });
        return new TinyServer(host);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
    }
}
