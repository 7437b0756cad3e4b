using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Spark.Server.Routing;
using Spark.Server.Tests.Endpoints;

namespace Spark.Server.Tests.Routing;

public class AutoRoutingTests
{
    [Theory]
    [InlineData(null, "fix the typo", 0, 10, "spark", "no rule matched")]
    [InlineData("high", "fix the typo", 0, 10, "full", "reasoning.effort high")]
    [InlineData("low", "please REFACTOR everything", 99, 99999, "spark", "reasoning.effort low")]
    [InlineData(null, "please REFACTOR the parser", 0, 10, "full", "keyword 'refactor'")]
    [InlineData(null, "hi", 5, 10, "full", "5 tools > 4")]
    [InlineData(null, "hi", 0, 1001, "full", "prompt 1001 chars > 1000")]
    public void Policy_IsDeterministicAndOrdered(string? effort, string text, int tools, int chars, string model, string reason)
    {
        var policy = new AutoPolicy { Keywords = ["refactor"], ToolsOver = 4, PromptCharsOver = 1000 };
        Assert.Equal((model, reason), policy.Choose(new RouteInput(chars, tools, effort, text)));
    }

    [Fact]
    public async Task Auto_PicksPerTurn_ReportsTheModel_AndCountsItInMetrics()
    {
        await using var fast = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("fast"), ScriptedChatServer.Finish("stop")]));
        await using var full = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("deep"), ScriptedChatServer.Finish("stop")]));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)],
            new AutoPolicy { Keywords = ["architecture"] });

        using var quick = await front.Http.PostJsonAsync("/v1/responses", """{"model":"auto","input":"rename x"}""");
        var quickBody = await quick.JsonAsync();
        Assert.Equal("spark", quickBody.GetProperty("model").GetString());
        Assert.Equal("fast", quickBody.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());

        using var deep = await front.Http.PostJsonAsync("/v1/responses", """{"model":"auto","input":"design the architecture"}""");
        Assert.Equal("full", (await deep.JsonAsync()).GetProperty("model").GetString());
        using var effort = await front.Http.PostJsonAsync("/v1/responses", """{"model":"auto","input":"rename x","reasoning":{"effort":"high"}}""");
        Assert.Equal("full", (await effort.JsonAsync()).GetProperty("model").GetString());

        string metrics = await front.Http.GetStringAsync("/metrics");
        Assert.Contains("spark_auto_routed_total{model=\"spark\"} 1", metrics);
        Assert.Contains("spark_auto_routed_total{model=\"full\"} 2", metrics);
        var models = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/models")).RootElement.GetProperty("data");
        Assert.Equal(["spark", "full", "auto"], models.EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task FastUpstreamError_EscalatesOnceToFull_RecordedInMetadata()
    {
        await using var fast = await ScriptedChatServer.StartAsync(http => { http.Response.StatusCode = 503; return http.Response.WriteAsync("overloaded"); });
        await using var full = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("deep answer"), ScriptedChatServer.Finish("stop")]));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());

        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"auto","input":"hi","stream":true}""", HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEvents.ReadAllAsync(response);
        var final = events[^1].Json.GetProperty("response");
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.Equal("full", final.GetProperty("model").GetString());
        Assert.StartsWith("spark -> full:", final.GetProperty("metadata").GetProperty("spark_escalated").GetString());
        Assert.Equal("deep answer", string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString())));
        Assert.Contains("spark_escalations_total{from=\"spark\",to=\"full\"} 1", await front.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task FastAndFullBothUnavailable_FailsWithBothErrors_AfterOneEscalation()
    {
        await using var fast = await ScriptedChatServer.StartAsync(http => { http.Response.StatusCode = 503; return http.Response.WriteAsync("fast overloaded"); });
        await using var full = await ScriptedChatServer.StartAsync(http => { http.Response.StatusCode = 500; return http.Response.WriteAsync("full crashed"); });
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());

        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"auto","input":"hi","stream":true}""");
        var error = await response.ErrorAsync(502, "upstream_unavailable");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains("model 'spark' (openai-chat)", message);
        Assert.Contains("HTTP 503 fast overloaded", message);
        Assert.Contains("escalation to 'full' failed too: ", message);
        Assert.Contains("HTTP 500 full crashed", message);
        Assert.Single(fast.Requests);
        Assert.Single(full.Requests);
        Assert.Contains("spark_escalations_total{from=\"spark\",to=\"full\"} 1", await front.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task FastFailingMidStreamBeforeAnyText_EscalatesToo_ButFullFailingIsNotRetriedAgain()
    {
        await using var fast = await ScriptedChatServer.StartAsync(async http =>
        {
            await ScriptedChatServer.StreamAsync(http, [], done: false);
            await ScriptedChatServer.DieAsync(http);
        });
        int fullCalls = 0;
        await using var full = await ScriptedChatServer.StartAsync(async http =>
        {
            Interlocked.Increment(ref fullCalls);
            await ScriptedChatServer.StreamAsync(http, [], done: false);
            await ScriptedChatServer.DieAsync(http);
        });
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("spark", fast.BaseUrl), FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy());
        using var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"spark","input":"hi"}""");
        var body = await response.JsonAsync();
        Assert.True("full" == body.GetProperty("model").GetString(), body.GetRawText());
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal(1, fullCalls);
    }
}
