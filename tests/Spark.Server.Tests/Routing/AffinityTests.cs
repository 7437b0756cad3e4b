using Spark.Server.Backends;
using Spark.Server.Tests.Endpoints;

namespace Spark.Server.Tests.Routing;

public class AffinityTests
{
    [Fact]
    public async Task Conversation_SticksToItsReplica_NewConversationsSpread()
    {
        await using var a = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        await using var b = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", a.BaseUrl, b.BaseUrl)]);

        using var first = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"conversation one"}""");
        string id = (await first.JsonAsync()).GetProperty("id").GetString()!;
        for (int turn = 0; turn < 3; turn++)
        {
            using var next = await front.Http.PostJsonAsync("/v1/responses", $$"""{"model":"full","input":"more","previous_response_id":"{{id}}"}""");
            id = (await next.JsonAsync()).GetProperty("id").GetString()!;
        }
        Assert.Equal(4, a.Requests.Count); // idle replicas tie; the first one won and kept the conversation
        Assert.Empty(b.Requests);

        using var keyed = await front.Http.PostJsonAsync("/v1/responses", """{"model":"full","input":"other","prompt_cache_key":"k2"}""");
        Assert.True(keyed.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Conversation_StaysOnItsReplicaWhileItIsBusy_AndOthersGoToTheLeastBusy()
    {
        TaskCompletionSource? hold = null; // the next request a receives waits for this
        await using var a = await ScriptedChatServer.StartAsync(async http =>
        {
            if (Interlocked.Exchange(ref hold, null) is { } gate) await gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello);
        });
        await using var b = await ScriptedChatServer.StartAsync(http => ScriptedChatServer.StreamAsync(http, ScriptedChatServer.Hello));
        await using var front = await FrontServer.StartAsync([FrontServer.Chat("full", a.BaseUrl, b.BaseUrl)]);
        async Task<string> TurnAsync(string input, string? previous = null)
        {
            string prior = previous is null ? "" : $$""","previous_response_id":"{{previous}}" """;
            using var response = await front.Http.PostJsonAsync("/v1/responses", $$"""{"model":"full","input":"{{input}}"{{prior}}}""");
            var body = await response.JsonAsync();
            Assert.True(response.IsSuccessStatusCode, body.GetRawText());
            return body.GetProperty("id").GetString()!;
        }

        string x = await TurnAsync("conversation x"); // both idle: a
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hold = gate;
        var busy = TurnAsync("a long one"); // both idle again: a, which now holds it
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (a.Requests.Count < 2) { Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "a never got the long request"); await Task.Delay(10); }

        string y = await TurnAsync("conversation y"); // a is busy: the least in flight is b
        Assert.Single(b.Requests);
        await TurnAsync("more", x); // x stays on a, busy or not
        Assert.Equal(3, a.Requests.Count);
        gate.SetResult();
        await busy;

        await TurnAsync("more", y); // both idle, where order alone picks a: y stays on b
        Assert.Equal(2, b.Requests.Count);
        Assert.Equal(3, a.Requests.Count);
    }

    [Fact]
    public void LeastInFlight_WinsAndTheStickyReplicaComesFirst()
    {
        var set = new Spark.Server.Routing.ReplicaSet([new Uri("http://a/v1"), new Uri("http://b/v1"), new Uri("http://c/v1")], TimeSpan.FromSeconds(1));
        var (ra, rb, rc) = (set.Replicas[0], set.Replicas[1], set.Replicas[2]);
        ra.Enter(); ra.Enter(); rb.Enter();
        Assert.Equal([rc, rb, ra], set.Order(null));
        set.Stick("conv", ra);
        Assert.Equal([ra, rc, rb], set.Order("conv"));
        ra.MarkDown("boom");
        Assert.Equal([rc, rb], set.Order("conv")); // down and backing off: skipped
        rc.MarkDown("x"); rb.MarkDown("y");
        Assert.Equal(3, set.Order("conv").Count); // all down: try them all rather than nothing
    }
}
