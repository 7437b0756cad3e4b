using System.Collections.Concurrent;
using Spark.Server.Backends;

namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class QueueTests(ServerFixture server)
{
    [Fact]
    public async Task QueuedRequestWhoseClientLeft_NeverRuns()
    {
        var outcomes = new ConcurrentQueue<GenerationOutcome>();
        var bothDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFinished(GenerationOutcome o)
        {
            outcomes.Enqueue(o);
            if (outcomes.Count == 2) bothDone.TrySetResult();
        }
        using var running = server.NewClient(handler: new SocketsHttpHandler { MaxResponseDrainSize = 0 });
        var first = await running.PostJsonAsync("/v1/responses",
            """{"model":"spark-tiny","input":"Go on forever","stream":true,"temperature":0,"max_output_tokens":8000}""", HttpCompletionOption.ResponseHeadersRead);
        var firstEvents = ServerSentEvents.ReadAsync(await first.Content.ReadAsStreamAsync()).GetAsyncEnumerator();
        while (await firstEvents.MoveNextAsync() && firstEvents.Current.Event != "response.output_text.delta") { }
        // Listen only now: the engine runs one generation at a time, so once this one streams, every earlier test's
        // generation has finished and cannot be mistaken for one of ours.
        server.Backend.GenerationFinished += OnFinished;
        try
        {
            using var leaving = server.NewClient();
            using var cancel = new CancellationTokenSource();
            var queued = leaving.PostAsync("/v1/responses", new StringContent("""{"model":"spark-tiny","input":"Me next","max_output_tokens":50}""",
                System.Text.Encoding.UTF8, "application/json"), cancel.Token);
            await WaitUntil(() => server.Backend.QueueDepth == 1);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);

            await firstEvents.DisposeAsync();
            first.Dispose();
            await bothDone.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            server.Backend.GenerationFinished -= OnFinished;
        }

        var outcomeList = outcomes.ToList();
        Assert.Equal(FinishReason.Cancelled, outcomeList[0].Reason);
        Assert.True(outcomeList[0].OutputTokens > 0);
        // Kestrel notices a hung-up client asynchronously, so the engine may dequeue the request and match its prompt
        // against the KV cache (CachedTokens > 0) just before the abort lands; what must never happen is generation.
        Assert.Equal(FinishReason.Cancelled, outcomeList[1].Reason);
        Assert.Equal(0, outcomeList[1].OutputTokens);
    }

    [Fact]
    public async Task ConcurrentRequests_AllComplete()
    {
        var requests = Enumerable.Range(0, 4).Select(i => server.Http.PostJsonAsync("/v1/responses",
            $$"""{"model":"spark-tiny","input":"Request {{i}}","max_output_tokens":5}""")).ToList();
        foreach (var response in await Task.WhenAll(requests))
        {
            using (response)
            {
                var body = await response.JsonAsync();
                Assert.Equal(5, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
            }
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached in 10 s");
            await Task.Delay(5);
        }
    }
}
