using System.Text.Json;
using Spark.Server.Routing;
using Spark.Server.Tests.Endpoints;

namespace Spark.Server.Tests.Routing;

/// <summary>
/// A fast model behind a scripted Chat Completions server writes broken tool calls: the turn is retried on it once,
/// then moved to the full model — only while nothing reached the client.
/// </summary>
public class BrokenToolCallEscalationTests
{
    private const string ShellTool = """{"type":"function","name":"shell","parameters":{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}},"required":["cmd"],"additionalProperties":false}}""";
    private const string StrictShellTool = """{"type":"function","name":"shell","strict":true,"parameters":{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}},"required":["cmd"],"additionalProperties":false}}""";

    /// <summary>A streamed call of <c>shell</c> whose arguments arrive in two deltas.</summary>
    private static string[] Call(string arguments, string? textBefore = null)
    {
        var chunks = new List<string>();
        if (textBefore is not null) chunks.Add(ScriptedChatServer.Text(textBefore));
        int half = arguments.Length / 2;
        chunks.Add("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x1","type":"function","function":{"name":"shell","arguments":""}}]}}]}""");
        foreach (string part in new[] { arguments[..half], arguments[half..] })
            chunks.Add($$$"""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":{{{JsonSerializer.Serialize(part)}}}}}]}}]}""");
        chunks.Add(ScriptedChatServer.Finish("tool_calls"));
        return [.. chunks];
    }

    /// <summary>A fast server answering its n-th request (from 0) with <paramref name="answers"/>[n] (the last one repeats).</summary>
    private static Task<ScriptedChatServer> FastAsync(params string[][] answers)
    {
        int served = 0;
        return ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, answers[Math.Min(Interlocked.Increment(ref served) - 1, answers.Length - 1)]));
    }

    private static Task<ScriptedChatServer> FullAsync() => ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, Call("""{"cmd":["ls","-la"]}""")));

    private static async Task<List<ServerSentEvent>> StreamAsync(FrontServer front, string tool, string model = "spark")
    {
        using var response = await front.Http.PostJsonAsync("/v1/responses", $$"""{"model":"{{model}}","input":"list files","stream":true,"tools":[{{tool}}]}""", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await ServerSentEvents.ReadAllAsync(response).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static JsonElement Final(List<ServerSentEvent> events) => events[^1].Json.GetProperty("response");

    private static string? Escalation(JsonElement response) =>
        response.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("spark_escalated", out var e) ? e.GetString() : null;

    [Fact]
    public async Task MalformedArgumentsOnce_RetriesOnTheFastModel_AndTheClientSeesOnlyTheGoodCall()
    {
        await using var fast = await FastAsync(Call("""{"cmd":["ls" """), Call("""{"cmd":["ls"]}"""));
        await using var full = await FullAsync();
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());

        var events = await StreamAsync(front, ShellTool);
        var final = Final(events);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.Equal("spark", final.GetProperty("model").GetString());
        Assert.Null(Escalation(final));
        var call = Assert.Single(final.GetProperty("output").EnumerateArray());
        Assert.Equal("""{"cmd":["ls"]}""", call.GetProperty("arguments").GetString());
        // the held-back call went out whole, once: no delta of the broken attempt reached the client
        var deltas = events.Where(e => e.Event == "response.function_call_arguments.delta").Select(e => e.Json.GetProperty("delta").GetString()).ToList();
        Assert.Equal(["""{"cmd":["ls"]}"""], deltas);
        Assert.Single(events, e => e.Event == "response.output_item.added");
        Assert.Equal(2, fast.Requests.Count);
        Assert.Empty(full.Requests);
        lock (front.Logs) Assert.Contains(front.Logs, l => l.Contains("model 'spark' retries the turn") && l.Contains("not valid JSON"));
    }

    [Fact]
    public async Task MalformedArgumentsTwice_EscalatesToTheFullModel_VisibleInMetadataAndMetrics()
    {
        await using var fast = await FastAsync(Call("""{"cmd":["ls" """), Call("""{"cmd": ls}"""));
        await using var full = await FullAsync();
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());

        var events = await StreamAsync(front, ShellTool, model: "auto");
        var final = Final(events);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.Equal("full", final.GetProperty("model").GetString());
        string escalation = Escalation(final)!;
        Assert.StartsWith("spark -> full: ", escalation);
        Assert.Contains("'shell' call are not valid JSON", escalation);
        Assert.Contains("(twice)", escalation);
        Assert.Equal("""{"cmd":["ls","-la"]}""", Assert.Single(final.GetProperty("output").EnumerateArray()).GetProperty("arguments").GetString());
        Assert.Single(events, e => e.Event == "response.output_item.added");
        Assert.Equal(2, fast.Requests.Count);
        Assert.Single(full.Requests);

        string metrics = await front.Http.GetStringAsync("/metrics");
        Assert.Contains("spark_escalations_total{from=\"spark\",to=\"full\"} 1", metrics);
    }

    [Fact]
    public async Task StrictSchemaMismatch_CountsAsBroken_ButTheSameCallPassesWithoutStrict()
    {
        string[] missingRequired = Call("""{"command":"ls"}""");
        await using var fast = await FastAsync(missingRequired);
        await using var full = await FullAsync();
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());

        var strict = Final(await StreamAsync(front, StrictShellTool));
        Assert.Equal("full", strict.GetProperty("model").GetString());
        Assert.Contains("does not match the tool's strict schema: arguments lacks the required property 'cmd'", Escalation(strict));
        Assert.Equal(2, fast.Requests.Count);

        // without strict: true the schema is a hint, and the call is the model's to answer for
        var loose = Final(await StreamAsync(front, ShellTool));
        Assert.Equal("spark", loose.GetProperty("model").GetString());
        Assert.Equal("""{"command":"ls"}""", loose.GetProperty("output")[0].GetProperty("arguments").GetString());
        Assert.Equal(3, fast.Requests.Count);
    }

    [Fact]
    public async Task MalformedCallAfterTextWasStreamed_GoesToTheClientAsWritten_WithoutARetry()
    {
        await using var fast = await FastAsync(Call("""{"cmd":["ls" """, textBefore: "Let me look."));
        await using var full = await FullAsync();
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());

        var events = await StreamAsync(front, ShellTool);
        var final = Final(events);
        Assert.Equal("spark", final.GetProperty("model").GetString());
        Assert.Null(Escalation(final));
        Assert.Equal("Let me look.", final.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("""{"cmd":["ls" """, final.GetProperty("output")[1].GetProperty("arguments").GetString());
        Assert.Equal(2, events.Count(e => e.Event == "response.function_call_arguments.delta")); // streamed as it came
        Assert.Single(fast.Requests);
        Assert.Empty(full.Requests);
    }

    [Fact]
    public async Task WithoutEscalation_ABrokenCallIsNotRetried()
    {
        await using var fast = await FastAsync(Call("""{"cmd":["ls" """));
        await using var full = await FullAsync();
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy { Escalate = false });

        var final = Final(await StreamAsync(front, ShellTool));
        Assert.Equal("spark", final.GetProperty("model").GetString());
        Assert.Equal("""{"cmd":["ls" """, final.GetProperty("output")[0].GetProperty("arguments").GetString());
        Assert.Single(fast.Requests);
    }
}
