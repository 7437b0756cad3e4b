using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Spark.Server.Backends;
using Spark.Server.Hosting;
using Spark.Server.Routing;
using Spark.Server.Tests.Endpoints;
using Spark.Server.Tests.Storage;
using Spark.Testing;

namespace Spark.Server.Tests.Routing;

public class UpstreamTests
{
    private static async Task<List<ServerSentEvent>> StreamAsync(HttpClient http, string body)
    {
        using var response = await http.PostJsonAsync("/v1/responses", body, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(200 == (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        return await ServerSentEvents.ReadAllAsync(response);
    }

    /// <summary>A Spark upstream's decode-step timing came through the front: 10 tokens are 9 steps, forward passes within the span.</summary>
    internal static void AssertDecodeTimingPassedThrough(System.Text.Json.JsonElement usage)
    {
        Assert.True(usage.TryGetProperty("spark_timing", out var timing), $"the upstream's timing is passed through: {usage}");
        Assert.Equal(usage.GetProperty("output_tokens").GetInt32() - 1, timing.GetProperty("decode_steps").GetInt32());
        double forward = timing.GetProperty("decode_forward_ms").GetDouble(), span = timing.GetProperty("decode_span_ms").GetDouble();
        Assert.True(forward > 0 && forward <= span, $"forward passes lie within the first-to-last token span: {timing}");
        Assert.True(timing.GetProperty("queue_ms").GetDouble() >= 0 && timing.GetProperty("compute_ms").GetDouble() >= span, timing.ToString());
    }

    [Fact]
    public async Task SparkBehindSpark_StreamsTheSameTextAsTheUpstreamDirectly_AndContinuesFromItsOwnStore()
    {
        using var dir = new TempDirectory();
        await using var upstream = await TinyServer.StartAsync(dir, new SparkServerOptions());
        var options = FrontServer.Chat("spark", upstream.Http.BaseAddress + "v1") with { Protocol = UpstreamProtocol.Responses, Model = TinyServer.ModelId };
        await using var front = await FrontServer.StartAsync([options]);

        const string input = """{"model":"%M","input":"Tell me a story","max_output_tokens":10,"temperature":0,"stream":true}""";
        var direct = await StreamAsync(upstream.Http, input.Replace("%M", TinyServer.ModelId));
        var proxied = await StreamAsync(front.Http, input.Replace("%M", "spark"));
        static string Text(List<ServerSentEvent> events) => string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString()));
        Assert.NotEmpty(Text(direct));
        Assert.Equal(Text(direct), Text(proxied));
        var final = proxied[^1].Json.GetProperty("response");
        Assert.Equal("response.incomplete", proxied[^1].Event);
        Assert.Equal("spark", final.GetProperty("model").GetString());
        Assert.Equal(10, final.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        AssertDecodeTimingPassedThrough(final.GetProperty("usage"));

        // previous_response_id is the front's own feature: the upstream is sent the whole conversation, store: false
        using var next = await front.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark","input":"More","previous_response_id":"{{final.GetProperty("id").GetString()}}","max_output_tokens":3,"temperature":0}""");
        var body = await next.JsonAsync();
        Assert.True(next.IsSuccessStatusCode, body.GetRawText());
        Assert.True(body.GetProperty("usage").GetProperty("input_tokens").GetInt32() > final.GetProperty("usage").GetProperty("input_tokens").GetInt32() + 10);
    }

    [Fact]
    public async Task ChatUpstream_TextAndToolCalls_BecomeResponsesItemsAndEvents()
    {
        await using var chat = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, [
            ScriptedChatServer.Text("Let me look."),
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x1","type":"function","function":{"name":"shell","arguments":""}}]}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"cmd\":"}}]}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"[\"ls\"]}"}}]}}]}""",
            ScriptedChatServer.Finish("tool_calls"), ScriptedChatServer.Usage(20, 9)]));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl) with { Model = "qwen-72b" }]);

        var events = await StreamAsync(front.Http, """{"model":"full","input":"list files","stream":true,"tools":[{"type":"function","name":"shell","parameters":{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}}}}]}""");
        var final = events[^1].Json.GetProperty("response");
        Assert.Equal("response.completed", events[^1].Event);
        var output = final.GetProperty("output");
        Assert.Equal("message", output[0].GetProperty("type").GetString());
        Assert.Equal("Let me look.", output[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("function_call", output[1].GetProperty("type").GetString());
        Assert.Equal("shell", output[1].GetProperty("name").GetString());
        Assert.Equal("""{"cmd":["ls"]}""", output[1].GetProperty("arguments").GetString());
        Assert.Equal(2, events.Count(e => e.Event == "response.function_call_arguments.delta"));
        Assert.Equal(20, final.GetProperty("usage").GetProperty("input_tokens").GetInt32());

        chat.Requests.TryDequeue(out var sent);
        var request = JsonDocument.Parse(sent!).RootElement;
        Assert.Equal("qwen-72b", request.GetProperty("model").GetString());
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.Equal("shell", request.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ChatUpstream_PreviousResponseIdAndToolOutputs_GoUpAsTheWholeConversation()
    {
        int served = 0;
        await using var chat = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, Interlocked.Increment(ref served) == 1
            ? [
                """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x1","type":"function","function":{"name":"shell","arguments":"{\"cmd\":[\"ls\"]}"}}]}}]}""",
                ScriptedChatServer.Finish("tool_calls"),
            ]
            : [ScriptedChatServer.Text("There is one file."), ScriptedChatServer.Finish("stop")]));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl)]);
        const string tools = """[{"type":"function","name":"shell","parameters":{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}}}}]""";

        using var first = await front.Http.PostJsonAsync("/v1/responses", $$"""{"model":"full","instructions":"Be brief.","input":"list files","tools":{{tools}}}""");
        var firstBody = await first.JsonAsync();
        Assert.True(first.IsSuccessStatusCode, firstBody.GetRawText());
        string callId = firstBody.GetProperty("output")[0].GetProperty("call_id").GetString()!;

        // Chat Completions has no previous_response_id: the front's store supplies the first turn (instructions are
        // not carried over, as in OpenAI's API: the client sends them again)
        using var second = await front.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"full","instructions":"Be brief.","previous_response_id":"{{firstBody.GetProperty("id").GetString()}}","input":[{"type":"function_call_output","call_id":"{{callId}}","output":"notes.txt"}],"tools":{{tools}}}""");
        var secondBody = await second.JsonAsync();
        Assert.True(second.IsSuccessStatusCode, secondBody.GetRawText());
        Assert.Equal("There is one file.", secondBody.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());

        Assert.Equal(2, chat.Requests.Count);
        var messages = JsonDocument.Parse(chat.Requests.Last()).RootElement.GetProperty("messages");
        Assert.Equal(["system", "user", "assistant", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Be brief.", messages[0].GetProperty("content").GetString());
        Assert.Equal("list files", messages[1].GetProperty("content").GetString());
        var call = Assert.Single(messages[2].GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("shell", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"cmd":["ls"]}""", call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal(call.GetProperty("id").GetString(), messages[3].GetProperty("tool_call_id").GetString());
        Assert.Equal("notes.txt", messages[3].GetProperty("content").GetString());
    }

    [Fact]
    public async Task UpstreamChunks_ReachTheClientAsTheyArrive_NotWhenTheStreamEnds()
    {
        var clientSawFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool secondSent = false;
        await using var chat = await ScriptedChatServer.StartAsync(async http =>
        {
            await ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("first")], done: false);
            // the rest waits until the client has the first delta, or 5 s (within the idle timeout): then the test fails below
            try
            {
                await clientSawFirst.Task.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
            Volatile.Write(ref secondSent, true);
            foreach (string chunk in new[] { ScriptedChatServer.Text(" second"), ScriptedChatServer.Finish("stop") })
                await http.Response.WriteAsync($"data: {chunk}\n\n");
            await http.Response.WriteAsync("data: [DONE]\n\n");
        });
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl)]);

        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi","stream":true}""", HttpCompletionOption.ResponseHeadersRead);
        var deltas = new List<string>();
        bool firstBeforeSecondSent = false;
        await foreach (var e in ServerSentEvents.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            if (e.Event != "response.output_text.delta") continue;
            deltas.Add(e.Json.GetProperty("delta").GetString()!);
            if (deltas.Count == 1)
            {
                firstBeforeSecondSent = !Volatile.Read(ref secondSent);
                clientSawFirst.TrySetResult();
            }
        }
        Assert.True(firstBeforeSecondSent, "the first delta reached the client only after the upstream sent more: the front buffers");
        Assert.Equal(["first", " second"], deltas);
    }

    [Fact]
    public async Task Turns_ShareOneKeptAliveUpstreamConnection()
    {
        await using var chat = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        await using var proxy = TcpProxy.Start(new Uri(chat.BaseUrl));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", proxy.Url("/v1"))]);
        for (int turn = 0; turn < 3; turn++)
        {
            using var response = await front.Http.PostJsonAsync("/v1/responses", $$"""{"model":"full","input":"turn {{turn}}","stream":{{(turn % 2 == 0 ? "true" : "false")}}}""");
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(3, chat.Requests.Count);
        Assert.Equal(1, proxy.Accepted); // no connect (or TLS handshake) per turn
    }

    [Fact]
    public async Task Replica500BeforeTheFirstToken_FailsOverToTheNext()
    {
        await using var broken = await ScriptedChatServer.StartAsync(http => { http.Response.StatusCode = 500; return http.Response.WriteAsync("""{"error":{"message":"GPU fell off"}}"""); });
        await using var good = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", broken.BaseUrl, good.BaseUrl)]);

        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi"}""");
        var body = await response.JsonAsync();
        Assert.Equal("Hello, world", body.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Single(broken.Requests);
        Assert.Single(good.Requests);
        var replicas = ((UpstreamBackend)front.Models[0]).Replicas.Replicas;
        Assert.False(replicas[0].Healthy);
        Assert.Contains("HTTP 500 GPU fell off", replicas[0].LastError);

        // the down replica is skipped while it backs off
        using var again = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi again"}""");
        Assert.True(again.IsSuccessStatusCode);
        Assert.Single(broken.Requests);
    }

    [Fact]
    public async Task UnreachableUpstream_Is502NamingTheBackend_WithinTheConnectTimeout_AndNeverTheKey()
    {
        int closed = ClosedPort();
        var options = FrontServer.Chat("full", $"http://127.0.0.1:{closed}/v1") with { ApiKey = "sk-very-secret-key", ApiKeyEnv = "FULL_KEY" };
        await using var front = await FrontServer.StartAsync([options]);
        var watch = Stopwatch.StartNew();
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi","stream":true}""");
        watch.Stop();
        var error = await response.ErrorAsync(502, "upstream_unavailable");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains("model 'full' (openai-chat)", message);
        Assert.Contains($"127.0.0.1:{closed}", message);
        Assert.DoesNotContain("sk-very-secret-key", message);
        Assert.True(watch.Elapsed < options.ConnectTimeout + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        lock (front.Logs) Assert.DoesNotContain(front.Logs, l => l.Contains("sk-very-secret-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiKey_GoesUpAsABearerToken()
    {
        await using var chat = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl) with { ApiKey = "sk-up" }]);
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi"}""");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("Bearer sk-up", Assert.Single(chat.Authorizations));
    }

    [Fact]
    public async Task StreamDroppedMidResponse_EndsFailed_WithoutDuplicatingText()
    {
        await using var chat = await ScriptedChatServer.StartAsync(async http =>
        {
            await ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("partial "), ScriptedChatServer.Text("answer")], done: false);
            await ScriptedChatServer.DieAsync(http); // the GPU server died mid-stream
        });
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl)]);
        var events = await StreamAsync(front.Http, """{"model":"full","input":"hi","stream":true}""").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("response.failed", events[^1].Event);
        var final = events[^1].Json.GetProperty("response");
        Assert.Equal("failed", final.GetProperty("status").GetString());
        Assert.Contains("model 'full'", final.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("partial answer", string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString())));
        Assert.Single(chat.Requests); // no retry once text reached the client
    }

    [Fact]
    public async Task SlowFirstToken_EndsFailedAfterTheFirstTokenTimeout()
    {
        await using var chat = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello, firstDelay: TimeSpan.FromSeconds(20)));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl) with { FirstTokenTimeout = TimeSpan.FromMilliseconds(500) }]);
        var watch = Stopwatch.StartNew();
        var events = await StreamAsync(front.Http, """{"model":"full","input":"hi","stream":true}""").WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal("response.failed", events[^1].Event);
        Assert.Contains("no first token within 0.5 s", events[^1].Json.GetProperty("response").GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task UpstreamContextError_PassesThroughAsItsStatusAndCode()
    {
        await using var chat = await ScriptedChatServer.StartAsync(http =>
        {
            http.Response.StatusCode = 400;
            return http.Response.WriteAsync("""{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}""");
        });
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", chat.BaseUrl)]);
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi"}""");
        var error = await response.ErrorAsync(400, "context_length_exceeded");
        Assert.Contains("maximum context length", error.GetProperty("message").GetString());
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
