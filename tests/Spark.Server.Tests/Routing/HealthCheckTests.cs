using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Spark.Server.Backends;
using Spark.Server.Routing;
using Spark.Server.Tests.Endpoints;

namespace Spark.Server.Tests.Routing;

/// <summary>Replicas are probed in the background; a failing one is skipped and re-probed with doubling backoff until it answers again.</summary>
public class HealthCheckTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void MarkDown_BacksOffDoublingFromTheIntervalUpTo8Times_AndMarkUpEndsIt()
    {
        var clock = new ManualClock();
        var replica = new UpstreamReplica(new Uri("http://gpu1:8000/v1"), TimeSpan.FromSeconds(10), clock);
        Assert.True(replica.Healthy && replica.DueForRetry);
        foreach (int seconds in new[] { 10, 20, 40, 80, 80 })
        {
            var downAt = clock.Now;
            replica.MarkDown("connect refused");
            Assert.False(replica.Healthy);
            clock.Now = downAt + TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1);
            Assert.False(replica.DueForRetry, $"still backing off just before {seconds} s");
            clock.Now = downAt + TimeSpan.FromSeconds(seconds);
            Assert.True(replica.DueForRetry, $"due again after {seconds} s");
        }
        Assert.Equal(5, replica.Failures);
        replica.MarkUp();
        Assert.True(replica.Healthy && replica.DueForRetry);
        Assert.Null(replica.LastError);
        var downAt2 = clock.Now;
        replica.MarkDown("again");
        clock.Now = downAt2 + TimeSpan.FromSeconds(10);
        Assert.True(replica.DueForRetry); // the backoff starts over after a success
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task AReplicaFailingItsHealthCheck_GetsNoRequests_UntilAProbeFindsItUpAgain()
    {
        bool sick = true;
        await using var flaky = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello), http =>
        {
            http.Response.StatusCode = Volatile.Read(ref sick) ? 503 : 200;
            return http.Response.WriteAsync("""{"object":"list","data":[]}""");
        });
        await using var steady = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        var options = FrontServer.Chat("full", flaky.BaseUrl, steady.BaseUrl) with { HealthInterval = TimeSpan.FromMilliseconds(200) };
        await using var front = await FrontServer.StartAsync([options]);
        var replicas = ((UpstreamBackend)front.Models[0]).Replicas.Replicas;

        // no request has failed on it: the background probe alone finds it down
        await WaitForAsync(() => !replicas[0].Healthy, "the health check marked the first replica down");
        Assert.Contains("health check HTTP 503", replicas[0].LastError);
        using (var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"hi"}"""))
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Empty(flaky.Requests);
        Assert.Single(steady.Requests);

        // while down it is re-probed (with backoff), and the first passing probe brings it back
        int probesWhileDown = flaky.Probes;
        Volatile.Write(ref sick, false);
        await WaitForAsync(() => replicas[0].Healthy, "a health check found the first replica up again");
        Assert.True(flaky.Probes > probesWhileDown);
        using (var response = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"a new conversation"}"""))
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Single(flaky.Requests); // both idle and no affinity yet: configuration order again
    }
}
