namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class ChatCompletionsEndpointTests(ServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task NonStreaming_ReturnsOneChoiceWithUsage()
    {
        using var response = await _http.PostJsonAsync("/v1/chat/completions",
            """{"model":"spark-tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hello"}]}],"max_tokens":5,"temperature":0}""");
        var body = await response.JsonAsync();
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(5, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Streaming_SendsRoleThenContentThenFinishThenUsageThenDone()
    {
        using var response = await _http.PostJsonAsync("/v1/chat/completions",
            """{"model":"spark-tiny","messages":[{"role":"user","content":"Hello"}],"max_completion_tokens":7,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""",
            HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEvents.ReadAllAsync(response);

        Assert.All(events, e => Assert.Null(e.Event));
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events[..^1].Select(e => e.Json).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(7, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.True(chunks.Count > 4, "content chunks between the role and the finish");
    }

    [Fact]
    public async Task Streaming_WithoutIncludeUsage_HasNoUsageChunk()
    {
        using var response = await _http.PostJsonAsync("/v1/chat/completions",
            """{"model":"spark-tiny","messages":[{"role":"user","content":"Hello"}],"max_tokens":3,"stream":true}""",
            HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEvents.ReadAllAsync(response);
        Assert.All(events[..^1], e => Assert.False(e.Json.TryGetProperty("usage", out _)));
    }
}
