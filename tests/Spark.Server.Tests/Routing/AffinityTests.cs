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
