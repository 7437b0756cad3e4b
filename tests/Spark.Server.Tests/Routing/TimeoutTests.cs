using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Spark.Server.Backends;
using Spark.Server.Tests.Endpoints;
using Spark.Testing;

namespace Spark.Server.Tests.Routing;

/// <summary>
/// The three upstream timeouts against servers that really stall: a connect that never completes, a stream that goes
/// quiet after its first tokens. Each ends in time with an error naming the model, never the key, and nothing twice.
/// </summary>
public class TimeoutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<List<ServerSentEvent>> StreamAsync(FrontServer front, string body)
    {
        using var response = await front.Http.PostJsonAsync("/v1/responses", body, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(200 == (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        return await ServerSentEvents.ReadAllAsync(response).WaitAsync(Patience);
    }

    private static string Text(List<ServerSentEvent> events) =>
        string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString()));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectThatNeverCompletes_Is502NamingTheBackend_AfterTheConnectTimeout_AndNeverTheKey(bool webSocket)
    {
        using var silent = new SilentPort();
        var options = FrontServer.Chat("full", silent.BaseUrl) with
        {
            Protocol = webSocket ? UpstreamProtocol.Responses : UpstreamProtocol.Chat,
            WebSocket = webSocket,
            ConnectTimeout = TimeSpan.FromSeconds(1),
            FirstTokenTimeout = TimeSpan.FromSeconds(20), // far longer: the connect timeout alone must end the wait
            ApiKey = "sk-silent-secret",
            ApiKeyEnv = "FULL_KEY",
        };
        await using var front = await FrontServer.StartAsync([options]);

        var watch = Stopwatch.StartNew();
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi","stream":true}""");
        watch.Stop();
        var error = await response.ErrorAsync(502, "upstream_unavailable");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains($"model 'full' ({options.BackendName}", message);
        Assert.Contains($"127.0.0.1:{silent.Port}", message);
        Assert.Contains("connect timed out after 1 s", message);
        Assert.DoesNotContain("sk-silent-secret", message);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {watch.Elapsed}: the connect was not left waiting");
        Assert.True(watch.Elapsed < options.ConnectTimeout + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        lock (front.Logs) Assert.DoesNotContain(front.Logs, l => l.Contains("sk-silent-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplicaThatCannotBeConnectedTo_FailsOverToTheNext_WithinTheConnectTimeout()
    {
        using var silent = new SilentPort();
        await using var good = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        var options = FrontServer.Chat("full", silent.BaseUrl, good.BaseUrl) with { ConnectTimeout = TimeSpan.FromSeconds(1) };
        await using var front = await FrontServer.StartAsync([options]);

        var watch = Stopwatch.StartNew();
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi"}""");
        watch.Stop();
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.GetRawText());
        Assert.Equal("Hello, world", body.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(watch.Elapsed < options.ConnectTimeout + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        var replicas = ((UpstreamBackend)front.Models[0]).Replicas.Replicas;
        Assert.False(replicas[0].Healthy);
        Assert.Contains("connect timed out after 1 s", replicas[0].LastError);
        Assert.True(replicas[1].Healthy);
    }

    [Fact]
    public async Task EventsWithoutATokenDoNotExtendTheFirstTokenTimeout()
    {
        await using var chat = await ScriptedChatServer.StartAsync(async http =>
        {
            // a role-only chunk every 100 ms, never a token: each event is within the idle timeout, none is a first token
            await ScriptedChatServer.StreamAsync(http, [], done: false);
            for (int i = 0; i < 300 && !http.RequestAborted.IsCancellationRequested; i++)
            {
                await http.Response.WriteAsync("""data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"}}]}""" + "\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(100, http.RequestAborted);
            }
        });
        var options = FrontServer.Chat("full", chat.BaseUrl) with { FirstTokenTimeout = TimeSpan.FromSeconds(1) };
        await using var front = await FrontServer.StartAsync([options]);

        var watch = Stopwatch.StartNew();
        var events = await StreamAsync(front, """{"model":"full","input":"hi","stream":true}""");
        watch.Stop();
        Assert.Equal("response.failed", events[^1].Event);
        Assert.Contains("sent no first token within 1 s (first-token timeout)", events[^1].Json.GetProperty("response").GetProperty("error").GetProperty("message").GetString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ChatStreamThatGoesQuiet_EndsFailedAfterTheIdleTimeout_WithItsTextOnce()
    {
        await using var chat = await ScriptedChatServer.StartAsync(async http =>
        {
            await ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("partial "), ScriptedChatServer.Text("answer")], done: false);
            await Task.Delay(TimeSpan.FromMinutes(1), http.RequestAborted); // alive but silent
        });
        var options = FrontServer.Chat("full", chat.BaseUrl) with { IdleTimeout = TimeSpan.FromMilliseconds(500) };
        await using var front = await FrontServer.StartAsync([options]);

        await AssertFailsAfterTheIdleTimeoutWithItsTextOnce(front, "full", "openai-chat");
        Assert.Single(chat.Requests); // no retry once text reached the client
    }

    [Fact]
    public async Task WebSocketStreamThatGoesQuiet_EndsFailedAfterTheIdleTimeout_WithItsTextOnce()
    {
        await using var scripted = await ScriptedResponsesServer.StartAsync(webSockets: true, ScriptedReply.Unfinished("partial answer"));
        var options = FrontServer.Chat("spark", scripted.BaseUrl.ToString()) with
        {
            Protocol = UpstreamProtocol.Responses,
            WebSocket = true,
            IdleTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using var front = await FrontServer.StartAsync([options]);

        await AssertFailsAfterTheIdleTimeoutWithItsTextOnce(front, "spark", "openai-responses");
        Assert.Single(scripted.Requests);
    }

    /// <summary>
    /// A streamed turn on <paramref name="model"/> ends <c>response.failed</c> within seconds, naming the backend and the
    /// 0.5 s idle timeout, after the text that did arrive ("partial answer") was passed on once.
    /// </summary>
    private static async Task AssertFailsAfterTheIdleTimeoutWithItsTextOnce(FrontServer front, string model, string backendKind)
    {
        var watch = Stopwatch.StartNew();
        var events = await StreamAsync(front, $$"""{"model":"{{model}}","input":"hi","stream":true}""");
        watch.Stop();
        Assert.Equal("response.failed", events[^1].Event);
        string failure = events[^1].Json.GetProperty("response").GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains($"model '{model}' ({backendKind} at http://127.0.0.1:", failure);
        Assert.Contains("stopped sending mid-response (nothing for 0.5 s, the idle timeout)", failure);
        Assert.Equal("partial answer", Text(events));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }
}
