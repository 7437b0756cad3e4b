using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Server.Backends;

namespace Spark.Server.Hosting;

/// <summary>
/// Spark's server on a local GGUF model, running in this process: the one place that loads the model, warms it up and
/// builds and starts the host. <c>spark serve</c>, <c>spark exec</c> (without <c>--base-url</c>), <c>spark bench
/// latency --local</c> and the test fixtures all start their server through it.
/// </summary>
public sealed class LocalModelHost : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private LocalModelHost(SparkModel model, string name, ILoggerFactory loggers, LocalEngineBackend backend, WebApplication app)
    {
        Model = model;
        Name = name;
        _loggers = loggers;
        Backend = backend;
        App = app;
    }

    /// <summary>The loaded model.</summary>
    public SparkModel Model { get; }

    /// <summary>The name clients send as <c>model</c>.</summary>
    public string Name { get; }

    /// <summary>The engine backend serving the model (its queue, metrics and finished-generation events).</summary>
    public LocalEngineBackend Backend { get; }

    /// <summary>The running host.</summary>
    public WebApplication App { get; }

    /// <summary>The first bound address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url => App.Urls.First();

    /// <summary>Loads the model, warms it up and starts the server; dispose to stop it and free the model.</summary>
    public static async Task<LocalModelHost> StartAsync(string path, string name, ModelLoadOptions load, SparkServerOptions options, Action<ILoggingBuilder> logging)
    {
        var model = SparkModel.Load(path, load);
        ILoggerFactory? loggers = null;
        LocalEngineBackend? backend = null;
        WebApplication? app = null;
        try
        {
            loggers = LoggerFactory.Create(logging);
            backend = new LocalEngineBackend(model, name, loggers.CreateLogger("Spark.Engine"));
            backend.WarmUp(); // kernels compiled and weights paged in before the first request
            app = SparkServer.Build(options, backend, logging);
            await app.StartAsync().ConfigureAwait(false);
            return new LocalModelHost(model, name, loggers, backend, app);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync().ConfigureAwait(false);
            backend?.Dispose();
            loggers?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server and frees the model.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        Backend.Dispose();
        _loggers.Dispose();
        Model.Dispose();
    }
}
