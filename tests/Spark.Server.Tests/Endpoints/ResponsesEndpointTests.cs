using System.Text.Json;
using Spark.Protocol.Responses;

namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class ResponsesEndpointTests(ServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task InstructionsAndDeveloperMessages_AllReachThePrompt_WithATemplateThatKeepsOneSystemMessage()
    {
        // the test model's Llama 2 template renders only messages[0] as the system prompt
        string developer = string.Join(' ', Enumerable.Repeat("Never touch files outside the workspace.", 8));
        async Task<int> PromptTokens(string input)
        {
            using var response = await _http.PostJsonAsync("/v1/responses",
                $$"""{"model":"spark-tiny","instructions":"You are a coding agent.","input":{{input}},"max_output_tokens":1,"temperature":0,"store":false}""");
            var body = await response.JsonAsync();
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            return body.GetProperty("usage").GetProperty("input_tokens").GetInt32();
        }
        int without = await PromptTokens("""[{"type":"message","role":"user","content":"Hi"}]""");
        int with = await PromptTokens($$"""[{"type":"message","role":"developer","content":"{{developer}}"},{"type":"message","role":"developer","content":"Sandbox: read-only."},{"type":"message","role":"user","content":"Hi"}]""");
        Assert.True(with >= without + 48, $"{with} prompt tokens with two developer messages, {without} without");
    }

    [Fact]
    public async Task Streaming_SendsTheFullEventSequenceWithIncreasingSequenceNumbers()
    {
        using var response = await _http.PostJsonAsync("/v1/responses",
            """{"model":"spark-tiny","input":"Tell me a story","instructions":"Be brief.","stream":true,"max_output_tokens":12,"temperature":0,"metadata":{"run":"1"}}""",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = await ServerSentEvents.ReadAllAsync(response);

        var types = events.Select(e => e.Event!).ToList();
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"], types[..4]);
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete"], types[^4..]);
        Assert.All(types[4..^4], t => Assert.Equal("response.output_text.delta", t));
        Assert.NotEmpty(types[4..^4]);
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(events[i].Event, events[i].Json.GetProperty("type").GetString());
            Assert.Equal(i, events[i].Json.GetProperty("sequence_number").GetInt32());
        }

        string deltas = string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString()));
        Assert.Equal(deltas, events[^4].Json.GetProperty("text").GetString());
        var final = events[^1].Json.GetProperty("response");
        Assert.Equal("incomplete", final.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", final.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(deltas, final.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("1", final.GetProperty("metadata").GetProperty("run").GetString());
        var usage = final.GetProperty("usage");
        Assert.Equal(12, usage.GetProperty("output_tokens").GetInt32());
        Assert.True(usage.GetProperty("input_tokens").GetInt32() > 5);
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + 12, usage.GetProperty("total_tokens").GetInt32());
        var timing = usage.GetProperty("spark_timing"); // what `spark bench latency` subtracts from a turn's wall time
        Assert.True(timing.GetProperty("queue_ms").GetDouble() >= 0);
        Assert.True(timing.GetProperty("compute_ms").GetDouble() > 0, "12 tokens took some engine time");
        // the steps between the first and last of the 12 tokens: the forward passes alone, within the engine's span of them
        Assert.Equal(11, timing.GetProperty("decode_steps").GetInt32());
        double forward = timing.GetProperty("decode_forward_ms").GetDouble(), span = timing.GetProperty("decode_span_ms").GetDouble();
        Assert.True(forward > 0 && forward <= span && span <= timing.GetProperty("compute_ms").GetDouble(), $"forward {forward} ≤ span {span} ≤ compute: {timing}");
        Assert.Equal(JsonValueKind.Null, events[0].Json.GetProperty("response").GetProperty("usage").ValueKind);
    }

    [Fact]
    public async Task NonStreaming_ReturnsTheResponseObject_AndItCanBeFetchedAndDeleted()
    {
        using var created = await _http.PostJsonAsync("/v1/responses",
            """{"model":"spark-tiny","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}],"max_output_tokens":6,"temperature":0}""");
        var body = await created.JsonAsync();
        Assert.Equal(200, (int)created.StatusCode);
        string id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("resp_", id);
        Assert.Equal("response", body.GetProperty("object").GetString());
        Assert.Equal("spark-tiny", body.GetProperty("model").GetString());
        var item = body.GetProperty("output")[0];
        Assert.Equal("message", item.GetProperty("type").GetString());
        Assert.Equal("assistant", item.GetProperty("role").GetString());
        Assert.Equal(6, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());

        using var fetched = await _http.GetAsync($"/v1/responses/{id}");
        Assert.Equal(body.GetProperty("output").GetRawText(), (await fetched.JsonAsync()).GetProperty("output").GetRawText());

        using var deleted = await _http.DeleteAsync($"/v1/responses/{id}");
        var deletion = await deleted.JsonAsync();
        Assert.True(deletion.GetProperty("deleted").GetBoolean());
        Assert.Equal("response.deleted", deletion.GetProperty("object").GetString());
        using var gone = await _http.GetAsync($"/v1/responses/{id}");
        await gone.ErrorAsync(404, "response_not_found");
    }

    [Fact]
    public async Task StoreFalse_IsNotKept()
    {
        using var created = await _http.PostJsonAsync("/v1/responses", """{"model":"spark-tiny","input":"Hi","max_output_tokens":2,"store":false}""");
        var body = await created.JsonAsync();
        Assert.False(body.GetProperty("store").GetBoolean());
        using var fetched = await _http.GetAsync($"/v1/responses/{body.GetProperty("id").GetString()}");
        await fetched.ErrorAsync(404, "response_not_found");
    }

    [Fact]
    public async Task Continuation_ByPreviousResponseId_ReusesTheKvCache()
    {
        var first = await CreateAsync("""{"model":"spark-tiny","input":"Write a poem about the sea","max_output_tokens":8,"temperature":0}""");
        string id = first.GetProperty("id").GetString()!;
        int firstInput = first.GetProperty("usage").GetProperty("input_tokens").GetInt32();

        var second = await CreateAsync($$"""{"model":"spark-tiny","input":"Now shorter","previous_response_id":"{{id}}","max_output_tokens":4,"temperature":0}""");
        var usage = second.GetProperty("usage");
        int cached = usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(usage.GetProperty("input_tokens").GetInt32() > firstInput + 8, "the continuation's prompt holds the first turn, its answer and the new input");
        Assert.True(cached >= firstInput, $"cached {cached} of {usage.GetProperty("input_tokens").GetInt32()} tokens; the first prompt had {firstInput}");
        Assert.Equal(id, second.GetProperty("previous_response_id").GetString());
    }

    [Fact]
    public async Task FullHistoryResent_FindsTheCachedPrefixFromTheTokens()
    {
        var first = await CreateAsync("""{"model":"spark-tiny","input":[{"role":"user","content":"Explain tides to me"}],"max_output_tokens":6,"temperature":0}""");
        string answer = first.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;
        var history = JsonSerializer.Serialize(answer);
        var second = await CreateAsync($$"""
            {"model":"spark-tiny","prompt_cache_key":"s1","input":[
              {"role":"user","content":"Explain tides to me"},
              {"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":{{history}},"annotations":[]}]},
              {"role":"user","content":"And waves?"}],"max_output_tokens":4,"temperature":0}
            """);
        int cached = second.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(cached >= first.GetProperty("usage").GetProperty("input_tokens").GetInt32() - 1, $"cached {cached}");
    }

    [Fact]
    public async Task UnknownPreviousResponseId_Is404WithItsCode()
    {
        using var response = await _http.PostJsonAsync("/v1/responses", """{"model":"spark-tiny","input":"x","previous_response_id":"resp_nope"}""");
        var error = await response.ErrorAsync(404, "previous_response_not_found");
        Assert.Equal("previous_response_id", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ToolItemsAndUnknownFields_AreAccepted()
    {
        var body = await CreateAsync("""
            {"model":"spark-tiny","include":["reasoning.encrypted_content"],"reasoning":{"effort":"low"},"client_metadata":{"x":"y"},
             "tools":[{"type":"function","name":"add","parameters":{"type":"object"}},{"type":"web_search"}],"tool_choice":"auto",
             "input":[{"role":"user","content":"add 2 and 2"},{"type":"function_call","call_id":"c1","name":"add","arguments":"{\"a\":2,\"b\":2}"},
                      {"type":"function_call_output","call_id":"c1","output":"4"},{"type":"reasoning","id":"rs_1","summary":[]}],
             "max_output_tokens":3}
            """);
        // sampled (no temperature 0) from random weights: 3 tokens usually hit the limit, but an end token or a
        // finished tool call within them completes the response - either way the request was accepted and answered
        Assert.Contains(body.GetProperty("status").GetString(), new[] { ResponseStatus.Incomplete, ResponseStatus.Completed });
        Assert.Equal(2, body.GetProperty("tools").GetArrayLength());
    }

    private async Task<JsonElement> CreateAsync(string json)
    {
        using var response = await _http.PostJsonAsync("/v1/responses", json);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }
}
