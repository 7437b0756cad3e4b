namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class LongPromptTests(ServerFixture server)
{
    // ~1,000-1,900 tokens of the tiny model's vocabulary; a different text each time so nothing comes from the KV cache
    private static string Words(int count, string seed) =>
        string.Join(' ', Enumerable.Range(0, count).Select(i => $"{seed}{i % 97} river stone"));

    [Theory]
    [InlineData("/v1/responses", """{"model":"spark-tiny","input":"TEXT","stream":true,"max_output_tokens":1}""", "event: response.output_text.done")]
    [InlineData("/v1/chat/completions", """{"model":"spark-tiny","messages":[{"role":"user","content":"TEXT"}],"stream":true,"max_tokens":1}""", "\"finish_reason\":\"length\"")]
    public async Task LongPrefill_SendsCommentHeartbeatsBeforeTheFirstToken(string path, string json, string afterTheToken)
    {
        using var response = await server.Http.PostJsonAsync(path, json.Replace("TEXT", Words(130, path.Length.ToString())));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Contains(": keep-alive\n\n", body);
        Assert.True(body.LastIndexOf(": keep-alive", StringComparison.Ordinal) < body.IndexOf(afterTheToken, StringComparison.Ordinal),
            "heartbeats come while waiting for the first token");
    }

    [Fact]
    public async Task FillingTheContext_EndsIncompleteWithReasonContextLength()
    {
        using var response = await server.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"{{Words(265, "c")}}","temperature":0}""");
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("incomplete", body.GetProperty("status").GetString());
        Assert.Equal("context_length", body.GetProperty("incomplete_details").GetProperty("reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(ServerFixture.ContextLength, usage.GetProperty("total_tokens").GetInt32());
    }
}
