using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spark.Server.Backends;
using Spark.Server.Endpoints;
using Spark.Server.Errors;
using Spark.Server.Storage;
using Spark.Server.Routing;

namespace Spark.Server.Hosting;

/// <summary>
/// Builds the OpenAI-compatible HTTP server on Kestrel for one backend: the endpoints, API-key check, error bodies and
/// limits. Start it with <c>StartAsync</c>; <c>Urls</c> then holds the bound address (with the real port when 0).
/// </summary>
public static class SparkServer
{
    /// <summary>Creates the application; <paramref name="logging"/> configures logging (default: console).</summary>
    public static WebApplication Build(SparkServerOptions options, IModelBackend backend, Action<ILoggingBuilder>? logging = null) =>
        Build(options, [backend], null, logging);

    /// <summary>
    /// Creates the application for several models by alias (the first is the default) and, with
    /// <paramref name="auto"/>, the <c>auto</c> model that picks between its fast and full models per turn.
    /// </summary>
    public static WebApplication Build(SparkServerOptions options, IReadOnlyList<IModelBackend> models, AutoPolicy? auto, Action<ILoggingBuilder>? logging = null)
    {
        var store = ResponseStores.Open(options.Store, options.StoredResponses); // a bad store stops startup here, before anything listens
        try
        {
            var app = Build(options, models, auto, store, logging);
            app.Lifetime.ApplicationStopped.Register(store.Dispose);
            return app;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static WebApplication Build(SparkServerOptions options, IReadOnlyList<IModelBackend> models, AutoPolicy? auto, IResponseStore store, Action<ILoggingBuilder>? logging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        if (logging is not null)
        {
            builder.Logging.ClearProviders();
            logging(builder.Logging);
        }
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            if (options.Host is "localhost") kestrel.ListenLocalhost(options.Port);
            else if (options.Host is "0.0.0.0" or "*") kestrel.ListenAnyIP(options.Port);
            else if (IPAddress.TryParse(options.Host, out var address)) kestrel.Listen(address, options.Port);
            else throw new ArgumentException($"--host '{options.Host}' is not an IP address; use 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or localhost");
        });
        builder.Services.AddRouting();

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Spark.Server");
        var router = new ModelRouter(models, auto, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Spark.Routing"));
        var server = new ServerContext(router, options, logger, store);
        ServerLog.StoreOpened(logger, store.Description);

        app.Use((http, next) => HandleErrorsAsync(http, next, logger));
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            var check = new ApiKeyCheck(options.ApiKey);
            app.Use(check.InvokeAsync);
        }
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.UseRouting();
        new ResponsesEndpoints(server).Map(app);
        new ResponsesWebSocketEndpoint(server).Map(app);
        new ChatCompletionsEndpoints(server).Map(app);
        new ModelsEndpoints(server).Map(app);
        new MetricsEndpoint(server).Map(app);
        app.MapFallback(http => throw ApiException.NotFound(
            $"Unknown route: {http.Request.Method} {http.Request.Path}. Spark serves POST /v1/responses (GET with a WebSocket upgrade: WebSocket mode), GET|DELETE /v1/responses/{{id}}, POST /v1/responses/{{id}}/cancel, POST /v1/chat/completions, GET /v1/models, GET /metrics and GET /health.",
            code: "unknown_route"));
        return app;
    }

    private static async Task HandleErrorsAsync(HttpContext http, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(http);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the client went away; nobody is left to answer
        }
        catch (Exception e)
        {
            var error = ApiErrors.From(e);
            if (error.Status >= 500) ServerLog.RequestFailed(logger, e, http.Request.Method, http.Request.Path);
            if (http.Response.HasStarted)
            {
                ServerLog.ErrorAfterStart(logger, error.Message);
                return;
            }
            await ApiErrors.WriteAsync(http, error);
        }
    }
}
