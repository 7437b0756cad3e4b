using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Spark.Server.Backends;
using Spark.Server.Hosting;
using Spark.Server.Routing;

namespace Spark.Server.Tests.Routing;

/// <summary>A real Spark server (Kestrel, 127.0.0.1) whose models are upstreams, as `spark serve --config` builds it.</summary>
internal sealed class FrontServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<IDisposable> _owned;

    private FrontServer(WebApplication app, List<IDisposable> owned, IReadOnlyList<IModelBackend> models)
    {
        _app = app;
        _owned = owned;
        Models = models;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Http { get; }
    public IReadOnlyList<IModelBackend> Models { get; }
    public List<string> Logs { get; } = [];

    public static UpstreamOptions Chat(string alias, params string[] urls) => new()
    {
        Alias = alias,
        Protocol = UpstreamProtocol.Chat,
        Replicas = urls.Select(u => new Uri(u)).ToArray(),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        FirstTokenTimeout = TimeSpan.FromSeconds(10),
        IdleTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<FrontServer> StartAsync(IEnumerable<UpstreamOptions> upstreams, AutoPolicy? auto = null, IEnumerable<IModelBackend>? more = null)
    {
        var logs = new List<string>();
        var provider = new ListLoggerProvider(logs);
        var owned = new List<IDisposable>();
        var models = new List<IModelBackend>();
        foreach (var u in upstreams)
        {
            UpstreamBackend backend = u.Protocol == UpstreamProtocol.Chat
                ? new OpenAIChatUpstream(u, provider.CreateLogger("Spark.Upstream"))
                : new OpenAIResponsesUpstream(u, provider.CreateLogger("Spark.Upstream"));
            owned.Add(backend);
            models.Add(backend);
        }
        models.AddRange(more ?? []);
        var app = SparkServer.Build(new SparkServerOptions { Port = 0, HeartbeatInterval = TimeSpan.Zero }, models, auto, logging => logging.AddProvider(provider));
        await app.StartAsync();
        var front = new FrontServer(app, owned, models);
        front.Logs.AddRange(logs);
        provider.Target = front.Logs;
        return front;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var o in _owned) o.Dispose();
    }

    private sealed class ListLoggerProvider(List<string> logs) : ILoggerProvider
    {
        public List<string> Target { get; set; } = logs;

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose() { }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner) owner.Target.Add(formatter(state, exception) + (exception is null ? "" : " " + exception));
            }
        }
    }
}
