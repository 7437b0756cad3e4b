using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Backends;
using Spark.Server.Hosting;

namespace Spark.Cli.Hosting;

/// <summary>
/// Spark's server on a local GGUF model, running in this process: what <c>spark serve</c> runs until it is stopped,
/// and what <c>spark exec</c> starts on 127.0.0.1 when no <c>--base-url</c> is given. One place loads the model,
/// warms it up and builds the host.
/// </summary>
internal sealed class LocalModelServer : IAsyncDisposable
{
    /// <summary>The model name the built-in default model is served as.</summary>
    public const string DefaultAlias = "spark";

    private readonly ILoggerFactory _loggers;
    private readonly LocalEngineBackend _backend;

    private LocalModelServer(SparkModel model, string name, ILoggerFactory loggers, LocalEngineBackend backend, WebApplication app)
    {
        Model = model;
        Name = name;
        _loggers = loggers;
        _backend = backend;
        App = app;
    }

    /// <summary>The loaded model.</summary>
    public SparkModel Model { get; }

    /// <summary>The name clients send as <c>model</c>.</summary>
    public string Name { get; }

    /// <summary>The running host.</summary>
    public WebApplication App { get; }

    /// <summary>The first bound address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url => App.Urls.First();

    /// <summary>
    /// The model file and name to serve: <paramref name="path"/> named by <paramref name="alias"/> (default: the file
    /// name), or, without a path, the built-in synthetic model (created on first use) as <c>spark</c>, with a note
    /// that its text is gibberish.
    /// </summary>
    public static (string Path, string Name) ResolveModel(string? path, string? alias, Action<string> note)
    {
        if (path is null)
        {
            path = DefaultModel.EnsureCreated(note);
            alias ??= DefaultAlias;
            note($"note: serving Spark's built-in synthetic model as '{alias}' ({path}); its weights are random, so its text is gibberish.");
            note("      serve a real GGUF with --model FILE.gguf (e.g. a Qwen2.5 or Llama 3.2 GGUF from Hugging Face).");
        }
        alias ??= System.IO.Path.GetFileNameWithoutExtension(path);
        if (string.IsNullOrWhiteSpace(alias)) throw new ArgumentException("--alias must not be empty");
        return (path, alias);
    }

    /// <summary>Loads the model, warms it up and starts the server; dispose to stop it and free the model.</summary>
    public static async Task<LocalModelServer> StartAsync(string path, string name, ModelLoadOptions load, SparkServerOptions options, Action<ILoggingBuilder> logging)
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
            return new LocalModelServer(model, name, loggers, backend, app);
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
        _backend.Dispose();
        _loggers.Dispose();
        Model.Dispose();
    }
}
