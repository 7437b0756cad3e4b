using Microsoft.Extensions.Logging.Abstractions;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Backends;
using Spark.Server.Routing;
using Spark.Server.Tests.Endpoints;
using Spark.Testing;

namespace Spark.Server.Tests.Routing;

public class EscalationTests
{
    [Fact]
    public async Task LocalFastModelContextOverflow_EscalatesToTheFullUpstream()
    {
        using var dir = new TempDirectory();
        string path = dir.File("tiny.gguf");
        SyntheticModel.Write(DefaultModel.Spec, path);
        using var model = SparkModel.Load(path, new ModelLoadOptions { Threads = 1, ContextLength = 64 });
        using var local = new LocalEngineBackend(model, "spark", NullLogger.Instance);
        await using var full = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, [ScriptedChatServer.Text("long answer"), ScriptedChatServer.Finish("stop")]));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy(), more: [local]);

        string longInput = string.Join(' ', Enumerable.Repeat("a fairly long sentence that will not fit in sixty-four tokens", 20));
        using var response = await front.Http.PostJsonAsync("/v1/responses", $$"""{"model":"spark","input":"{{longInput}}"}""");
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.GetRawText());
        Assert.Equal("full", body.GetProperty("model").GetString());
        Assert.Equal("long answer", body.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains("context", body.GetProperty("metadata").GetProperty("spark_escalated").GetString());

        // without [auto] escalation the same request is the local model's 400
        await using var plain = await FrontServer.StartAsync([FrontServer.Chat("full", full.BaseUrl)], new AutoPolicy { Escalate = false }, more: [local]);
        using var refused = await plain.Http.PostJsonAsync("/v1/responses", $$"""{"model":"spark","input":"{{longInput}}"}""");
        await refused.ErrorAsync(400, "context_length_exceeded");
    }
}
