using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Spark.Server.Backends;
using Spark.Server.Hosting;
using Spark.Server.Tests.Endpoints;
using Spark.Server.Tests.Storage;
using Spark.Testing;

namespace Spark.Server.Tests.Routing;

/// <summary>
/// <c>websocket = true</c>: the front reaches a second real Spark server (the tiny model) in WebSocket mode over
/// pooled connections, and clients see the same responses as over HTTP/SSE.
/// </summary>
public class WebSocketUpstreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static UpstreamOptions Ws(string baseUrl) =>
        FrontServer.Chat("spark", baseUrl) with { Protocol = UpstreamProtocol.Responses, Model = TinyServer.ModelId, WebSocket = true };

    private static UpstreamWebSocketPool Pool(FrontServer front) => ((UpstreamBackend)front.Models[0]).WebSockets!;

    private static async Task<List<ServerSentEvent>> StreamAsync(HttpClient http, string body)
    {
        using var response = await http.PostJsonAsync("/v1/responses", body, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(200 == (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        return await ServerSentEvents.ReadAllAsync(response).WaitAsync(Patience);
    }

    private static string Text(List<ServerSentEvent> events) =>
        string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString()));

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Patience) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Streaming_IsTheUpstreamsText_OnOneReusedConnection_AndContinuesFromTheFrontsStore()
    {
        using var dir = new TempDirectory();
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        await using var front = await FrontServer.StartAsync([Ws(upstream.Http.BaseAddress + "v1")]);

        const string input = """{"model":"%M","input":"Tell me a story","max_output_tokens":10,"temperature":0,"stream":true}""";
        var direct = await StreamAsync(upstream.Http, input.Replace("%M", TinyServer.ModelId));
        var proxied = await StreamAsync(front.Http, input.Replace("%M", "spark"));
        Assert.NotEmpty(Text(direct));
        Assert.Equal(Text(direct), Text(proxied));
        Assert.Equal("response.incomplete", proxied[^1].Event);
        var final = proxied[^1].Json.GetProperty("response");
        Assert.Equal("spark", final.GetProperty("model").GetString());
        Assert.Equal(10, final.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        UpstreamTests.AssertDecodeTimingPassedThrough(final.GetProperty("usage")); // queue, compute and the decode steps

        // previous_response_id is the front's: the upstream gets the whole conversation on the same connection
        using var next = await front.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark","input":"More","previous_response_id":"{{final.GetProperty("id").GetString()}}","max_output_tokens":3,"temperature":0}""");
        var body = await next.JsonAsync();
        Assert.True(next.IsSuccessStatusCode, body.GetRawText());
        Assert.True(body.GetProperty("usage").GetProperty("input_tokens").GetInt32() > final.GetProperty("usage").GetProperty("input_tokens").GetInt32() + 10);
        Assert.Equal(1, Pool(front).Opened);
        Assert.Equal(1, Pool(front).Open);
        Assert.Contains("spark_websocket_connections 1", await upstream.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task ToolCall_ComesBackAsTheUpstreamsFunctionCall_StreamedAndWhole()
    {
        using var dir = new TempDirectory();
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        await using var front = await FrontServer.StartAsync([Ws(upstream.Http.BaseAddress + "v1")]);
        const string request = """{"model":"%M","input":"Weather?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":30}},"required":["city"],"additionalProperties":false}}],"tool_choice":"required","temperature":0,"max_output_tokens":600}""";

        using var directResponse = await upstream.Http.PostJsonAsync("/v1/responses", request.Replace("%M", TinyServer.ModelId));
        var direct = (await directResponse.JsonAsync()).GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        var events = await StreamAsync(front.Http, request.Replace("%M", "spark").Replace("\"temperature\"", "\"stream\":true,\"temperature\""));
        Assert.Equal("response.completed", events[^1].Event);
        var call = Assert.Single(events[^1].Json.GetProperty("response").GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal(direct.GetProperty("arguments").GetString(), call.GetProperty("arguments").GetString());
        Assert.True(JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.TryGetProperty("city", out _));
        var deltas = events.Where(e => e.Event == "response.function_call_arguments.delta").Select(e => e.Json.GetProperty("delta").GetString()).ToList();
        Assert.True(deltas.Count > 1, "the arguments stream as they arrive");
        Assert.Equal(call.GetProperty("arguments").GetString(), string.Concat(deltas));
    }

    [Fact]
    public async Task ApiKey_GoesOnTheUpgrade_AndARefusedKeyIs502NamingTheVariable_NeverTheKey()
    {
        using var dir = new TempDirectory();
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions { ApiKey = "sk-upstream-secret" });
        string url = upstream.Http.BaseAddress + "v1";
        await using var front = await FrontServer.StartAsync([Ws(url) with { ApiKey = "sk-upstream-secret", ApiKeyEnv = "UP_KEY" }]);
        using var ok = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi","max_output_tokens":2}""");
        Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync());

        await using var wrong = await FrontServer.StartAsync([Ws(url) with { ApiKey = "sk-wrong-secret", ApiKeyEnv = "UP_KEY" }]);
        using var refused = await wrong.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi","max_output_tokens":2}""");
        var error = await refused.ErrorAsync(502, "upstream_unauthorized");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains("$UP_KEY", message);
        Assert.DoesNotContain("sk-wrong-secret", message);
        lock (wrong.Logs) Assert.DoesNotContain(wrong.Logs, l => l.Contains("sk-wrong-secret", StringComparison.Ordinal));
        lock (front.Logs) Assert.DoesNotContain(front.Logs, l => l.Contains("sk-upstream-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpstreamRefusal_PassesThroughAsItsStatusAndCode_AndTheConnectionStaysUsable()
    {
        using var dir = new TempDirectory();
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        await using var front = await FrontServer.StartAsync([Ws(upstream.Http.BaseAddress + "v1") with { Model = "no-such-model" }]);
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi"}""");
        var error = await response.ErrorAsync(404, "model_not_found");
        Assert.Contains("no-such-model", error.GetProperty("message").GetString());
        using var again = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi"}""");
        await again.ErrorAsync(404, "model_not_found");
        Assert.Equal(1, Pool(front).Opened);
    }

    /// <summary>A WebSocket-mode server on real Kestrel that refuses every <c>response.create</c> with <paramref name="status"/> (the refused-request shape) and records them.</summary>
    private static async Task<(WebApplication App, ConcurrentQueue<string> Requests)> RefusingServerAsync(int status, string message)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var requests = new ConcurrentQueue<string>();
        app.UseWebSockets();
        app.MapGet("/v1/responses", async http =>
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1 << 16];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, http.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close) return;
                requests.Enqueue(Encoding.UTF8.GetString(buffer, 0, received.Count));
                string refusal = $$$"""{"type":"error","status":{{{status}}},"error":{"type":"server_error","code":null,"message":"{{{message}}}","param":null}}""";
                await socket.SendAsync(Encoding.UTF8.GetBytes(refusal), WebSocketMessageType.Text, true, http.RequestAborted);
            }
        });
        await app.StartAsync();
        return (app, requests);
    }

    [Fact]
    public async Task Replica5xxErrorEvent_FailsOverToTheNextReplica_AndTheRequestIsAResponseCreate()
    {
        using var dir = new TempDirectory();
        var (overloaded, requests) = await RefusingServerAsync(503, "overloaded");
        await using var stopsTheServer = overloaded;
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        var options = Ws(overloaded.Urls.First() + "/v1") with { Replicas = [new Uri(overloaded.Urls.First() + "/v1"), new Uri(upstream.Http.BaseAddress + "v1")] };
        await using var front = await FrontServer.StartAsync([options]);

        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi","max_output_tokens":2}""");
        var body = await response.JsonAsync();
        Assert.Equal("incomplete", body.GetProperty("status").GetString()); // the 2 tokens, from the second replica
        var replicas = ((UpstreamBackend)front.Models[0]).Replicas.Replicas;
        Assert.False(replicas[0].Healthy);
        Assert.Contains("HTTP 503 overloaded", replicas[0].LastError);
        Assert.True(replicas[1].Healthy);

        Assert.True(requests.TryDequeue(out string? text));
        var sent = JsonDocument.Parse(text!).RootElement;
        Assert.Equal("response.create", sent.GetProperty("type").GetString());
        Assert.Equal(TinyServer.ModelId, sent.GetProperty("model").GetString());
        Assert.False(sent.GetProperty("store").GetBoolean());
        Assert.False(sent.TryGetProperty("stream", out _));
        Assert.Equal("hi", sent.GetProperty("input")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Empty(requests);
    }

    [Fact]
    public async Task AConnectionTheUpstreamSideClosed_IsReplacedByANewOne()
    {
        using var dir = new TempDirectory();
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        await using var proxy = TcpProxy.Start(upstream.Http.BaseAddress!);
        await using var front = await FrontServer.StartAsync([Ws(proxy.Url("/v1"))]);
        const string turn = """{"model":"spark","input":"hi","max_output_tokens":3,"temperature":0}""";

        using (var first = await front.Http.PostJsonAsync("/v1/responses", turn)) Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Accepted);

        // the pool sees the idle connection go and opens a new one for the next turn
        proxy.SeverAll();
        await WaitForAsync(() => Pool(front).Open == 0, "the pool noticed the closed connection");
        using (var second = await front.Http.PostJsonAsync("/v1/responses", turn)) Assert.True(second.IsSuccessStatusCode, await second.Content.ReadAsStringAsync());
        Assert.Equal(2, proxy.Accepted);

        // cut right before a turn, whether or not the close was seen yet, the turn still runs on a new connection
        proxy.SeverAll();
        using (var third = await front.Http.PostJsonAsync("/v1/responses", turn)) Assert.True(third.IsSuccessStatusCode, await third.Content.ReadAsStringAsync());
        Assert.Equal(3, proxy.Accepted);
        Assert.True(((UpstreamBackend)front.Models[0]).Replicas.Replicas[0].Healthy);
    }

    [Fact]
    public async Task UpstreamKilledMidResponse_EndsFailedWithoutDuplicatingText_ThenIs502NamingTheBackend()
    {
        await using var scripted = await ScriptedResponsesServer.StartAsync(webSockets: true, ScriptedReply.Unfinished("partial answer"));
        await using var proxy = TcpProxy.Start(scripted.BaseUrl);
        var options = Ws(proxy.Url("/v1")) with { ApiKey = "sk-never-shown" };
        await using var front = await FrontServer.StartAsync([options]);

        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi","stream":true}""", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        var events = new List<ServerSentEvent>();
        await using (var stream = await response.Content.ReadAsStreamAsync())
        {
            await foreach (var e in ServerSentEvents.ReadAsync(stream).WithCancellation(new CancellationTokenSource(Patience).Token))
            {
                events.Add(e);
                if (Text(events) == "partial answer") proxy.Stop(); // the upstream host is gone: connection reset, port closed
            }
        }
        Assert.Equal("response.failed", events[^1].Event);
        string failure = events[^1].Json.GetProperty("response").GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("model 'spark' (openai-responses at http://127.0.0.1:", failure);
        Assert.Contains("broke the stream mid-response", failure);
        Assert.Equal("partial answer", Text(events));

        var watch = Stopwatch.StartNew();
        using var unreachable = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi"}""");
        watch.Stop();
        var error = await unreachable.ErrorAsync(502, "upstream_unavailable");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains("model 'spark' (openai-responses over WebSocket)", message);
        Assert.Contains("cannot connect", message);
        Assert.DoesNotContain("sk-never-shown", message);
        Assert.True(watch.Elapsed < options.ConnectTimeout + TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        lock (front.Logs) Assert.DoesNotContain(front.Logs, l => l.Contains("sk-never-shown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASparkUpstreamThatShutsDown_ClosesItsConnections_ThenIs502_AndTheFrontKeepsServing()
    {
        using var dir = new TempDirectory();
        var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        await using var front = await FrontServer.StartAsync([Ws(upstream.Http.BaseAddress + "v1")]);
        using (var first = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi","max_output_tokens":2}"""))
            Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());

        // the upstream closes its WebSocket connections as it stops (1001) instead of holding its shutdown until Kestrel's
        // 30 s timeout drops them; the front's pool sees the close
        await upstream.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        await WaitForAsync(() => Pool(front).Open == 0, "the pool saw the upstream close its connection");
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi","max_output_tokens":2}""");
        var error = await response.ErrorAsync(502, "upstream_unavailable");
        Assert.Contains("openai-responses over WebSocket", error.GetProperty("message").GetString());
        using var health = await front.Http.GetAsync("/health");
        Assert.True(health.IsSuccessStatusCode);
    }
}
