using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Spark.Server.Tests.Routing;

/// <summary>
/// A Chat Completions server on real Kestrel (127.0.0.1, free port) whose answers a test scripts: streamed chunks,
/// a status code, a slow first token, a connection dropped mid-stream. Records each request body and auth header,
/// and counts health probes (<c>GET /v1/models</c>, answered by <c>models</c> when given, else 200).
/// </summary>
internal sealed class ScriptedChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedChatServer(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First() + "/v1";

    public ConcurrentQueue<string> Requests { get; } = new();
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    private int _probes;

    /// <summary>Health probes received.</summary>
    public int Probes => Volatile.Read(ref _probes);

    public static async Task<ScriptedChatServer> StartAsync(Func<HttpContext, Task> answer, Func<HttpContext, Task>? models = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedChatServer(app);
        app.MapPost("/v1/chat/completions", async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            server.Requests.Enqueue(await reader.ReadToEndAsync());
            server.Authorizations.Enqueue(http.Request.Headers.Authorization.FirstOrDefault());
            await answer(http);
        });
        app.MapGet("/v1/models", http =>
        {
            Interlocked.Increment(ref server._probes);
            return models is null ? http.Response.WriteAsync("""{"object":"list","data":[]}""") : models(http);
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>Streams these chunk JSONs as SSE, then <c>[DONE]</c>.</summary>
    public static async Task StreamAsync(HttpContext http, IEnumerable<string> chunks, TimeSpan? firstDelay = null, bool done = true)
    {
        http.Response.ContentType = "text/event-stream";
        await http.Response.StartAsync();
        await http.Response.Body.FlushAsync();
        if (firstDelay is { } delay) await Task.Delay(delay, http.RequestAborted);
        foreach (string chunk in chunks)
        {
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {chunk}\n\n"), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
        if (done) await http.Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), http.RequestAborted);
    }

    /// <summary>
    /// Drops the connection like a crashed server, a moment after the last write: an immediate reset could discard
    /// bytes the client has not read yet, which is not the failure under test.
    /// </summary>
    public static async Task DieAsync(HttpContext http)
    {
        await Task.Delay(200);
        http.Abort();
    }

    public static string Text(string text) => $$$"""{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":{{{System.Text.Json.JsonSerializer.Serialize(text)}}}}}]}""";

    public static string Finish(string reason) => $$"""{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"{{reason}}"}]}""";

    public static string Usage(int prompt, int completion) => $$$"""{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}}}}""";

    public static string[] Hello => [Text("Hello"), Text(", "), Text("world"), Finish("stop"), Usage(7, 3)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
