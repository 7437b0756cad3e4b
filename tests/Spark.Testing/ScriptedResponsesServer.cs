using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Spark.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that answers each <c>POST /v1/responses</c> with the next
/// <see cref="ScriptedReply"/> and records every request body, so an agent can be tested end to end without a model.
/// Once the script runs out it answers 500 with a message saying so (a test that sends too many requests fails
/// clearly instead of hanging).
/// </summary>
public sealed class ScriptedResponsesServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<ScriptedReply> _script;
    private readonly List<JsonElement> _requests = [];
    private readonly Lock _lock = new();

    private ScriptedResponsesServer(WebApplication app, IEnumerable<ScriptedReply> script)
    {
        _app = app;
        _script = new Queue<ScriptedReply>(script);
    }

    /// <summary>The API root to give a client, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri BaseUrl => new(_app.Urls.First() + "/v1");

    /// <summary>The request bodies received so far, in order.</summary>
    public IReadOnlyList<JsonElement> Requests
    {
        get { lock (_lock) return [.. _requests]; }
    }

    /// <summary>The <c>Authorization</c> header of the last request, or null.</summary>
    public string? LastAuthorization { get; private set; }

    /// <summary>Starts a server that plays <paramref name="script"/>, one reply per request.</summary>
    public static async Task<ScriptedResponsesServer> StartAsync(params ScriptedReply[] script)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedResponsesServer(app, script);
        app.MapPost("/v1/responses", server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        ScriptedReply? reply;
        lock (_lock)
        {
            _requests.Add(body.RootElement.Clone());
            LastAuthorization = http.Request.Headers.Authorization.FirstOrDefault();
            _script.TryDequeue(out reply);
        }
        reply ??= ScriptedReply.Error(500, $"the scripted server has no reply left for request {_requests.Count}");
        if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, http.RequestAborted);
        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = reply.ContentType;
        await http.Response.WriteAsync(reply.Body, http.RequestAborted);
        if (reply.HoldOpen)
        {
            await http.Response.Body.FlushAsync(http.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // the client gave up, as it should
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
