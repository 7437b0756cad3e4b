using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Spark.Engine.Inference;
using Spark.Server.Backends;
using Spark.Server.Config;

namespace Spark.Server.Hosting;

/// <summary>
/// Spark's server for a <c>spark.toml</c>: every <c>[models.NAME]</c> — local GGUF models loaded here, upstream
/// servers reached over pooled HTTP — behind one endpoint, with <c>auto</c> when <c>[auto]</c> is present.
/// </summary>
public sealed class ConfiguredHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned;
    private readonly ILoggerFactory _loggers;

    private ConfiguredHost(WebApplication app, List<IDisposable> owned, ILoggerFactory loggers, IReadOnlyList<string> summary)
    {
        App = app;
        _owned = owned;
        _loggers = loggers;
        Summary = summary;
    }

    /// <summary>The running host.</summary>
    public WebApplication App { get; }

    /// <summary>The first bound address.</summary>
    public string Url => App.Urls.First();

    /// <summary>One line per model: alias, backend and where it runs.</summary>
    public IReadOnlyList<string> Summary { get; }

    /// <summary>
    /// Loads the local models, prepares the upstreams and starts the server. <paramref name="defaultModelPath"/>
    /// is the GGUF a local model without <c>path</c> uses (the built-in model).
    /// </summary>
    public static async Task<ConfiguredHost> StartAsync(SparkConfig config, SparkServerOptions options, string? defaultModelPath, Action<ILoggingBuilder> logging)
    {
        var owned = new List<IDisposable>();
        var loggers = LoggerFactory.Create(logging);
        WebApplication? app = null;
        try
        {
            var models = new List<IModelBackend>();
            var summary = new List<string>();
            foreach (var m in config.Models)
            {
                if (m.Upstream is { } upstream)
                {
                    UpstreamBackend backend = upstream.Protocol == UpstreamProtocol.Chat
                        ? new OpenAIChatUpstream(upstream, loggers.CreateLogger("Spark.Upstream"))
                        : new OpenAIResponsesUpstream(upstream, loggers.CreateLogger("Spark.Upstream"));
                    owned.Add(backend);
                    models.Add(backend);
                    summary.Add($"{m.Alias} -> {m.Backend}{(upstream.WebSocket ? " over WebSocket" : "")} {string.Join(", ", upstream.Replicas)} (model '{upstream.UpstreamModel}')");
                }
                else
                {
                    string path = m.Path ?? defaultModelPath ?? throw new ConfigException($"{config.Path}: [models.{m.Alias}] needs path = \"FILE.gguf\"");
                    var model = SparkModel.Load(path, new ModelLoadOptions { ContextLength = m.Ctx, Threads = m.Threads });
                    owned.Add(model);
                    var backend = new LocalEngineBackend(model, m.Alias, loggers.CreateLogger("Spark.Engine"));
                    owned.Add(backend);
                    backend.WarmUp();
                    models.Add(backend);
                    summary.Add($"{m.Alias} -> local {path} (context {model.ContextLength} tokens, {model.Threads} threads)");
                }
            }
            if (config.Auto is { } auto) summary.Add($"auto -> {auto.Fast} or {auto.Full} per turn{(auto.Escalate ? $", escalating {auto.Fast} -> {auto.Full} on failure" : "")}");
            app = SparkServer.Build(options, models, config.Auto, logging);
            await app.StartAsync().ConfigureAwait(false);
            return new ConfiguredHost(app, owned, loggers, summary);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync().ConfigureAwait(false);
            for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
            loggers.Dispose();
            throw;
        }
    }

    /// <summary>Each model's alias, backend, target and health now (upstream replicas are probed once).</summary>
    public static async Task<IReadOnlyList<ModelStatus>> DescribeAsync(SparkConfig config, string? defaultModelPath, CancellationToken cancellationToken)
    {
        var result = new List<ModelStatus>();
        using var loggers = LoggerFactory.Create(_ => { });
        foreach (var m in config.Models)
        {
            if (m.Upstream is { } upstream)
            {
                using UpstreamBackend backend = upstream.Protocol == UpstreamProtocol.Chat
                    ? new OpenAIChatUpstream(upstream, loggers.CreateLogger("Spark.Upstream"))
                    : new OpenAIResponsesUpstream(upstream, loggers.CreateLogger("Spark.Upstream"));
                await backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
                foreach (var replica in backend.Replicas.Replicas)
                    result.Add(new ModelStatus(m.Alias, m.Backend, $"{replica} (model '{upstream.UpstreamModel}'{(upstream.WebSocket ? ", WebSocket mode" : "")})", replica.Healthy ? "up" : $"down: {replica.LastError}"));
            }
            else
            {
                string? path = m.Path ?? defaultModelPath;
                result.Add(new ModelStatus(m.Alias, "local", path ?? "(no path)", path is not null && File.Exists(path) ? "ok (file present)" : $"missing: {path} does not exist"));
            }
        }
        if (config.Auto is { } auto) result.Add(new ModelStatus("auto", "router", $"{auto.Fast} or {auto.Full} per turn", "-"));
        return result;
    }

    /// <summary>Stops the server and frees the models and connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _loggers.Dispose();
    }
}

/// <summary>One line of <c>spark models</c>.</summary>
/// <param name="Alias">The name clients send.</param>
/// <param name="Backend"><c>local</c>, <c>openai-chat</c>, <c>openai-responses</c> or <c>router</c>.</param>
/// <param name="Target">The file or replica URL.</param>
/// <param name="Health"><c>up</c>, <c>down: why</c>, or the local file's state.</param>
public sealed record ModelStatus(string Alias, string Backend, string Target, string Health);
