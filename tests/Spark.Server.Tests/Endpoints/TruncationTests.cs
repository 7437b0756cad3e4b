using System.Text.Json;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Hosting;
using Spark.Server.Tests.WebSockets;
using Spark.Testing;

namespace Spark.Server.Tests.Endpoints;

/// <summary>A real server on the tiny model with a 512-token context, so a few long items overflow it.</summary>
public sealed class SmallContextServer : IAsyncLifetime
{
    public const int ContextLength = 512;
    private readonly TempDirectory _dir = new();
    private LocalModelHost? _host;

    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string path = _dir.File("tiny.gguf");
        SyntheticModel.Write(DefaultModel.Spec, path);
        _host = await LocalModelHost.StartAsync(path, ServerFixture.ModelId, new ModelLoadOptions { Threads = 1, ContextLength = ContextLength },
            new SparkServerOptions { Port = 0, ApiKey = ServerFixture.ApiKey }, logging: _ => { });
        BaseAddress = new Uri(_host.Url);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixture.ApiKey);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _dir.Dispose();
    }
}

public class TruncationTests(SmallContextServer server) : IClassFixture<SmallContextServer>
{
    private static string Words(int count, string seed) => string.Join(' ', Enumerable.Range(0, count).Select(i => $"{seed}{i % 37} river stone"));

    private static string Message(string role, string text) => $$"""{"type":"message","role":"{{role}}","content":"{{text}}"}""";

    // instructions, a developer message, then old turns (one a tool call with its output) that together overflow 512 tokens
    private static string Input(string latest) => "[" + string.Join(',',
        Message("developer", "Answer in one word."),
        Message("user", Words(40, "a")),
        Message("assistant", Words(40, "b")),
        """{"type":"function_call","call_id":"call_1","name":"ls","arguments":"{}"}""",
        $$"""{"type":"function_call_output","call_id":"call_1","output":"{{Words(30, "c")}}"}""",
        Message("user", Words(40, "d")),
        Message("assistant", Words(40, "e")),
        Message("user", latest)) + "]";

    private static string Body(string input, string? truncation, bool ws = false) =>
        $$"""{{{(ws ? "\"type\":\"response.create\"," : "")}}"model":"spark-tiny","instructions":"You are terse.","input":{{input}},"max_output_tokens":4,"temperature":0{{(truncation is null ? "" : $",\"truncation\":\"{truncation}\"")}}}""";

    [Theory]
    [InlineData(null)]
    [InlineData("disabled")]
    public async Task Disabled_TooLongConversation_IsA400SayingTheSizesAndHowToFixIt(string? truncation)
    {
        using var response = await server.Http.PostJsonAsync("/v1/responses", Body(Input("What now?"), truncation));
        var error = await response.ErrorAsync(400, "context_length_exceeded");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains($"context holds {SmallContextServer.ContextLength}", message);
        Assert.Matches(@"prompt is \d+ tokens", message);
        Assert.Contains("truncation: \"auto\"", message);
    }

    [Fact]
    public async Task Auto_DropsTheOldestItems_AndAnswers()
    {
        using var full = await server.Http.PostJsonAsync("/v1/responses", Body(Input("What now?"), "disabled"));
        int fullTokens = int.Parse(System.Text.RegularExpressions.Regex.Match((await full.ErrorAsync(400)).GetProperty("message").GetString()!, @"prompt is (\d+)").Groups[1].Value);

        using var latestOnly = await server.Http.PostJsonAsync("/v1/responses", Body("[" + Message("developer", "Answer in one word.") + "," + Message("user", "What now?") + "]", null));
        int minimum = (await latestOnly.JsonAsync()).InputTokens();

        using var response = await server.Http.PostJsonAsync("/v1/responses", Body(Input("What now?"), "auto"));
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("auto", body.GetProperty("truncation").GetString());
        Assert.NotEqual("failed", body.GetProperty("status").GetString());
        int used = body.InputTokens();
        Assert.True(used < fullTokens && used > minimum, $"truncated prompt {used} tokens; full {fullTokens}, instructions + latest message {minimum}");
        Assert.True(used + 4 <= SmallContextServer.ContextLength, $"{used} prompt tokens leave no room for 4 output tokens in {SmallContextServer.ContextLength}");
    }

    [Fact]
    public async Task Auto_WhenTheLatestMessageAloneOverflows_IsA400()
    {
        using var response = await server.Http.PostJsonAsync("/v1/responses", Body(Input(Words(120, "z")), "auto"));
        var error = await response.ErrorAsync(400, "context_length_exceeded");
        Assert.Contains("latest user message are always kept", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnknownTruncationValue_IsA400()
    {
        using var response = await server.Http.PostJsonAsync("/v1/responses", Body("\"hi\"", "sometimes"));
        var error = await response.ErrorAsync(400, "invalid_value");
        Assert.Equal("truncation", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task WebSocket_AutoTruncates_DisabledIsAnErrorEvent()
    {
        await using var ws = await WsClient.ConnectAsync(server.BaseAddress, ServerFixture.ApiKey);
        await ws.SendAsync(Body(Input("What now?"), null, ws: true));
        var refused = (await ws.ReceiveResponseAsync())[^1];
        Assert.Equal("error", refused.Type());
        Assert.Equal("context_length_exceeded", refused.GetProperty("error").GetProperty("code").GetString());

        await ws.SendAsync(Body(Input("What now?"), "auto", ws: true));
        var events = await ws.ReceiveResponseAsync();
        Assert.Equal("response.created", events[0].Type());
        var final = events[^1];
        Assert.True(final.Type() is "response.completed" or "response.incomplete", final.ToString());
        Assert.True(final.Response().InputTokens() + 4 <= SmallContextServer.ContextLength);
    }
}
