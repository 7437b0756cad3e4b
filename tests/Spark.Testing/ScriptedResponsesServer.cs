using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Spark.Protocol.Json;
using Spark.Protocol.Responses;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Spark.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that answers each <c>POST /v1/responses</c> with the next
/// <see cref="ScriptedReply"/> and records every request body, so an agent can be tested end to end without a model.
/// Once the script runs out it answers 500 with a message saying so (a test that sends too many requests fails
/// clearly instead of hanging). With <c>webSockets: true</c> it also accepts the WebSocket mode (<c>GET /v1/responses</c>
/// upgraded): each <c>response.create</c> plays the next reply's events as text messages, and <c>response.steer</c>
/// steers a <see cref="ScriptedReply.Steerable"/> reply (any other time it is refused as already completed).
/// </summary>
public sealed class ScriptedResponsesServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<ScriptedReply> _script;
    private readonly List<JsonElement> _requests = [];
    private readonly Lock _lock = new();
    private readonly List<string> _steers = [];

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

    /// <summary>Starts a server that plays <paramref name="script"/>, one reply per request (HTTP only: WebSocket upgrades get 405).</summary>
    public static Task<ScriptedResponsesServer> StartAsync(params ScriptedReply[] script) => StartAsync(false, script);

    /// <summary>The steering inputs received over the WebSocket, in order.</summary>
    public IReadOnlyList<string> Steers
    {
        get { lock (_lock) return [.. _steers]; }
    }

    /// <summary>Starts a server that plays <paramref name="script"/>; <paramref name="webSockets"/> also serves the WebSocket mode.</summary>
    public static async Task<ScriptedResponsesServer> StartAsync(bool webSockets, params ScriptedReply[] script)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedResponsesServer(app, script);
        if (webSockets)
        {
            app.UseWebSockets();
            app.MapGet("/v1/responses", server.HandleWebSocketAsync);
        }
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

    private async Task HandleWebSocketAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = 400;
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var incoming = System.Threading.Channels.Channel.CreateUnbounded<JsonElement>();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    int count = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(count), http.RequestAborted);
                        count += result.Count;
                    } while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    using var doc = JsonDocument.Parse(buffer.AsMemory(0, count));
                    incoming.Writer.TryWrite(doc.RootElement.Clone());
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // the client went away
            }
            incoming.Writer.TryComplete();
        });
        int seq = 1000;
        try
        {
            await foreach (var message in incoming.Reader.ReadAllAsync(http.RequestAborted))
            {
                string type = message.GetProperty("type").GetString()!;
                if (type == "response.steer")
                {
                    await RefuseSteerAsync(socket, message, seq++, http.RequestAborted); // nothing is running
                    continue;
                }
                if (message.TryGetProperty("generate", out var generate) && generate.ValueKind == JsonValueKind.False)
                {
                    // a prewarm: answered with an empty completed response, without using the script
                    lock (_lock) _requests.Add(message);
                    var warm = ScriptedReply.Stream([], store: false, ResponseUsage.Of(100, 0, 0));
                    foreach (string data in SseData(warm.Body)) await SendAsync(socket, data, http.RequestAborted);
                    continue;
                }
                ScriptedReply? reply;
                lock (_lock)
                {
                    _requests.Add(message);
                    _script.TryDequeue(out reply);
                }
                reply ??= ScriptedReply.Error(500, $"the scripted server has no reply left for request {_requests.Count}");
                if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, http.RequestAborted);
                if (reply.Status != 200)
                {
                    await SendAsync(socket, ErrorEvent(reply), http.RequestAborted);
                    continue;
                }
                foreach (string data in SseData(reply.Body)) await SendAsync(socket, data, http.RequestAborted);
                if (reply.AfterSteer is not null) await PlaySteerAsync(socket, reply, incoming.Reader, () => seq++, http.RequestAborted);
                else if (reply.HoldOpen) await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the client went away (an interrupt aborts the socket)
        }
        await reader;
    }

    private async Task PlaySteerAsync(WebSocket socket, ScriptedReply reply, System.Threading.Channels.ChannelReader<JsonElement> incoming,
        Func<int> seq, CancellationToken cancellationToken)
    {
        string firstId = reply.ResponseId!;
        var first = new ResponseObject { Id = firstId, CreatedAt = 1_700_000_000, Status = ResponseStatus.InProgress, Model = "scripted", Store = true };
        var partial = new MessageItem { Id = "msg_" + firstId, Role = "assistant", Status = "incomplete", Content = [ContentPart.OutputText(reply.BeforeSteer!)] };
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(30));
        JsonElement steer;
        try
        {
            steer = await incoming.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var done = first with { Status = ResponseStatus.Completed, Output = [partial with { Status = "completed" }], Usage = ResponseUsage.Of(100, 0, 5) };
            await SendAsync(socket, Serialize(new ResponseLifecycleEvent(ResponseEventTypes.Completed, seq(), done)), cancellationToken);
            return;
        }
        lock (_lock) _steers.Add(steer.GetProperty("input").GetString() ?? steer.GetProperty("input").GetRawText());
        await SendAsync(socket, Serialize(new SteerAcceptedEvent(seq(), new SteerReference("steer_" + firstId, firstId))), cancellationToken);
        var stopped = first with
        {
            Status = ResponseStatus.Incomplete, IncompleteDetails = new IncompleteDetails(IncompleteDetails.Steered), Output = [partial], Usage = ResponseUsage.Of(100, 0, 5),
        };
        await SendAsync(socket, Serialize(new ResponseLifecycleEvent(ResponseEventTypes.Incomplete, seq(), stopped)), cancellationToken);
        foreach (string data in SseData(ScriptedReply.Text(reply.AfterSteer!).Body)) await SendAsync(socket, data, cancellationToken);
    }

    private static async Task RefuseSteerAsync(WebSocket socket, JsonElement steer, int seq, CancellationToken cancellationToken)
    {
        string target = steer.TryGetProperty("previous_response_id", out var id) ? id.GetString() ?? "" : "";
        var failed = new SteerFailedEvent(seq, new SteerFailure(SteerErrorCodes.ResponseAlreadyCompleted, $"Response '{target}' already completed; steering input was not applied."),
            new FailedSteer(null, target, steer.GetProperty("input").Clone()));
        await SendAsync(socket, Serialize(failed), cancellationToken);
    }

    private static string ErrorEvent(ScriptedReply reply)
    {
        using var doc = JsonDocument.Parse(reply.Body);
        var error = doc.RootElement.GetProperty("error");
        return JsonSerializer.Serialize(new { type = "error", sequence_number = 0, code = error.TryGetProperty("code", out var c) ? c.GetString() : null, message = error.GetProperty("message").GetString() });
    }

    private static string Serialize(ResponseStreamEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer)) ResponseEventJson.Write(json, e);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The data of each event of an SSE body: what the WebSocket mode sends as one text message each.</summary>
    private static IEnumerable<string> SseData(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').FirstOrDefault(l => l.StartsWith("data: ", StringComparison.Ordinal)))
            .Where(data => data is not null)
            .Select(data => data!["data: ".Length..]);

    private static Task SendAsync(WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
