using System.Text.Json;
using Spark.Server.Tests.Endpoints;

namespace Spark.Server.Tests.Tools;

/// <summary>Tool calls over real HTTP from the tiny random-weight model: a required call is always valid.</summary>
[Collection(ServerCollection.Name)]
public class ToolCallingEndpointTests(ServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    private const string WeatherSchema =
        """{"type":"object","properties":{"city":{"type":"string","maxLength":30},"unit":{"enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}""";

    public static TheoryData<string> Schemas => new()
    {
        WeatherSchema,
        """{"type":"object","properties":{"count":{"type":"integer"},"ratio":{"type":"number"},"dry_run":{"type":"boolean"}},"required":["count","ratio","dry_run"],"additionalProperties":false}""",
        """{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","maxLength":6},"minItems":1,"maxItems":3},"owner":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":false}},"required":["tags","owner"],"additionalProperties":false}""",
        """{"type":"object","properties":{},"additionalProperties":false}""",
    };

    private static string Tool(string name, string schema) => $$"""{"type":"function","name":"{{name}}","description":"test tool","parameters":{{schema}}}""";

    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task RequiredToolChoice_GivesAFunctionCallWhoseArgumentsValidate(string schema)
    {
        using var response = await _http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"Do it","tools":[{{Tool("do_it", schema)}}],"tool_choice":"required","temperature":0,"max_output_tokens":1500}""");
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        var call = body.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        Assert.Equal("do_it", call.GetProperty("name").GetString());
        Assert.StartsWith("call_", call.GetProperty("call_id").GetString());
        Assert.Equal("completed", call.GetProperty("status").GetString());
        SchemaCheck.AssertValid(schema, call.GetProperty("arguments").GetString()!);
    }

    [Fact]
    public async Task NamedToolChoice_CallsThatTool()
    {
        string weather = WeatherSchema;
        using var response = await _http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"Weather?","tools":[{{Tool("first", "{}")}},{{Tool("get_weather", weather)}}],"tool_choice":{"type":"function","name":"get_weather"},"temperature":0.8,"max_output_tokens":600}""");
        var body = await response.JsonAsync();
        var call = body.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        SchemaCheck.AssertValid(weather, call.GetProperty("arguments").GetString()!);
    }

    [Fact]
    public async Task Streaming_FunctionCall_EventsComeInOrder()
    {
        using var response = await _http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"Do it","tools":[{{Tool("do_it", WeatherSchema)}}],"tool_choice":"required","temperature":0,"stream":true,"max_output_tokens":600}""",
            HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEvents.ReadAllAsync(response);
        var types = events.Select(e => e.Event!).ToList();
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added"], types[..3]);
        Assert.Equal(["response.function_call_arguments.done", "response.output_item.done", "response.completed"], types[^3..]);
        Assert.True(types.Count > 7, "the arguments stream in several deltas");
        Assert.All(types[3..^3], t => Assert.Equal("response.function_call_arguments.delta", t));
        for (int i = 0; i < events.Count; i++) Assert.Equal(i, events[i].Json.GetProperty("sequence_number").GetInt32());
        var added = events[2].Json.GetProperty("item");
        Assert.Equal("function_call", added.GetProperty("type").GetString());
        Assert.Equal("in_progress", added.GetProperty("status").GetString());
        string itemId = added.GetProperty("id").GetString()!;
        var deltas = events[3..^3];
        Assert.All(deltas, d => Assert.Equal(itemId, d.Json.GetProperty("item_id").GetString()));
        string arguments = events[^3].Json.GetProperty("arguments").GetString()!;
        Assert.Equal(string.Concat(deltas.Select(d => d.Json.GetProperty("delta").GetString())), arguments);
        Assert.Equal("do_it", events[^3].Json.GetProperty("name").GetString());
        var done = events[^2].Json.GetProperty("item");
        Assert.Equal(arguments, done.GetProperty("arguments").GetString());
        Assert.Equal(done.ToString(), events[^1].Json.GetProperty("response").GetProperty("output")[0].ToString());
    }

    [Fact]
    public async Task CustomTool_ComesBackAsACustomToolCall()
    {
        using var response = await _http.PostJsonAsync("/v1/responses",
            """{"model":"spark-tiny","input":"Patch it","tools":[{"type":"custom","name":"apply_patch","description":"Apply a patch","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}}],"tool_choice":{"type":"custom","name":"apply_patch"},"temperature":0,"stream":true,"max_output_tokens":1500}""",
            HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEvents.ReadAllAsync(response);
        Assert.Contains("response.custom_tool_call_input.delta", events.Select(e => e.Event));
        var final = events[^1].Json.GetProperty("response");
        Assert.Equal("completed", final.GetProperty("status").GetString());
        var call = final.GetProperty("output").EnumerateArray().Single();
        Assert.Equal("custom_tool_call", call.GetProperty("type").GetString());
        Assert.Equal("apply_patch", call.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, call.GetProperty("input").ValueKind);
        Assert.Equal(call.GetProperty("input").GetString(), events.Single(e => e.Event == "response.custom_tool_call_input.done").Json.GetProperty("input").GetString());
    }

    [Fact]
    public async Task UnsupportedToolTypes_AreAcceptedAndLeftOut()
    {
        using var response = await _http.PostJsonAsync("/v1/responses",
            """
            {"model":"spark-tiny","input":"Hi","max_output_tokens":3,"tool_choice":"auto","tools":[
              {"type":"web_search"},{"type":"file_search","vector_store_ids":["vs_1"]},{"type":"code_interpreter","container":{"type":"auto"}},
              {"type":"tool_search"},{"type":"namespace","name":"mcp","tools":[]},{"type":"image_generation"}]}
            """);
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("message", body.GetProperty("output")[0].GetProperty("type").GetString());
        Assert.Equal(6, body.GetProperty("tools").GetArrayLength()); // echoed as sent
    }

    [Theory]
    [InlineData("""{"tools":[{"type":"function","name":"f","parameters":{}}],"tool_choice":"sometimes"}""", "tool_choice", "sometimes")]
    [InlineData("""{"tools":[{"type":"function","name":"f","parameters":{}}],"tool_choice":{"type":"function","name":"g"}}""", "tool_choice", "'g'")]
    [InlineData("""{"tool_choice":"required"}""", "tool_choice", "no function")]
    [InlineData("""{"tools":[{"type":"function","parameters":{}}]}""", "tools[0].name", "tools[0].name")]
    [InlineData("""{"tools":[{"type":"function","name":"f","parameters":{"type":"object","properties":{"a":{"type":"strng"}}}}],"tool_choice":"required"}""", "tools", "strng")]
    public async Task BadToolRequests_AreClear400s(string fields, string param, string mentioned)
    {
        string json = "{\"model\":\"spark-tiny\",\"input\":\"Hi\"," + fields[1..];
        using var response = await _http.PostJsonAsync("/v1/responses", json);
        var error = await response.ErrorAsync(400);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(mentioned, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChatCompletions_Streaming_RequiredTool_SendsToolCallDeltasAndFinishReason()
    {
        using var response = await _http.PostJsonAsync("/v1/chat/completions",
            """{"model":"spark-tiny","messages":[{"role":"user","content":"Go"}],"stream":true,"temperature":0,"max_tokens":600,"tools":[{"type":"function","function":{"name":"go","parameters":{"type":"object","properties":{"speed":{"type":"integer"}},"required":["speed"]}}}],"tool_choice":"required"}""",
            HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEvents.ReadAllAsync(response);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events[..^1].Select(e => e.Json.GetProperty("choices")).Where(c => c.GetArrayLength() > 0).Select(c => c[0]).ToList();
        var pieces = chunks.Where(c => c.GetProperty("delta").TryGetProperty("tool_calls", out _)).Select(c => c.GetProperty("delta").GetProperty("tool_calls")[0]).ToList();
        Assert.True(pieces.Count > 2, "arguments stream in several chunks");
        var call = pieces[0];
        Assert.All(pieces, p => Assert.Equal(0, p.GetProperty("index").GetInt32()));
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.StartsWith("call_", call.GetProperty("id").GetString());
        Assert.Equal("go", call.GetProperty("function").GetProperty("name").GetString());
        Assert.All(pieces.Skip(1), p => Assert.False(p.TryGetProperty("id", out _)));
        using var args = JsonDocument.Parse(string.Concat(pieces.Select(p => p.GetProperty("function").GetProperty("arguments").GetString())));
        Assert.Equal(JsonValueKind.Number, args.RootElement.GetProperty("speed").ValueKind);
        Assert.Equal("tool_calls", chunks[^1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ToolChoiceNone_LeavesToolsOutOfThePrompt()
    {
        async Task<int> InputTokens(string choice)
        {
            using var response = await _http.PostJsonAsync("/v1/responses",
                $$"""{"model":"spark-tiny","input":"Hi","max_output_tokens":1,"tools":[{{Tool("get_weather", WeatherSchema)}}],"tool_choice":"{{choice}}"}""");
            return (await response.JsonAsync()).GetProperty("usage").GetProperty("input_tokens").GetInt32();
        }
        int none = await InputTokens("none"), auto = await InputTokens("auto");
        Assert.True(auto > none + 50, $"auto {auto} tokens, none {none}: the tool block should be in the prompt only with auto");
    }

    [Fact]
    public async Task ChatCompletions_NamedFunctionChoice_CallsThatFunction()
    {
        using var response = await _http.PostJsonAsync("/v1/chat/completions",
            """{"model":"spark-tiny","messages":[{"role":"user","content":"Go"}],"temperature":0,"max_tokens":600,"tools":[{"type":"function","function":{"name":"a","parameters":{}}},{"type":"function","function":{"name":"get_weather","parameters":"""
            + WeatherSchema + """}}],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}""");
        var choice = (await response.JsonAsync()).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var call = choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray().Single();
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        SchemaCheck.AssertValid(WeatherSchema, call.GetProperty("function").GetProperty("arguments").GetString()!);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
    }
}
