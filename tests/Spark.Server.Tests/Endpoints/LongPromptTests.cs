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
    public async Task WaitingForTheFirstToken_SendsCommentHeartbeats(string path, string json, string afterTheToken)
    {
        // Hold the engine with a generation that runs until its client leaves, so the request under test waits for
        // its first token however fast the prefill is (a timed "long prompt" stops being long when prefill gets faster).
        using var holder = server.NewClient(handler: new SocketsHttpHandler { MaxResponseDrainSize = 0 });
        var running = await holder.PostJsonAsync("/v1/responses",
            """{"model":"spark-tiny","input":"Go on forever","stream":true,"temperature":0,"max_output_tokens":100000}""", HttpCompletionOption.ResponseHeadersRead);
        var runningEvents = ServerSentEvents.ReadAsync(await running.Content.ReadAsStreamAsync()).GetAsyncEnumerator();
        while (await runningEvents.MoveNextAsync() && runningEvents.Current.Event != "response.output_text.delta") { }

        using var client = server.NewClient();
        using var response = await client.PostJsonAsync(path, json.Replace("TEXT", Words(130, path.Length.ToString())), HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var body = new System.Text.StringBuilder();
        var buffer = new char[512];
        while (!body.ToString().Contains(": keep-alive\n\n"))
        {
            int n = await reader.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(n > 0, "the stream ended before any heartbeat: " + body);
            body.Append(buffer, 0, n);
        }

        await runningEvents.DisposeAsync();
        running.Dispose(); // the holder leaves: its generation stops and the request under test runs
        body.Append(await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        string text = body.ToString();
        Assert.Contains(afterTheToken, text);
        Assert.True(text.LastIndexOf(": keep-alive", StringComparison.Ordinal) < text.IndexOf(afterTheToken, StringComparison.Ordinal),
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
