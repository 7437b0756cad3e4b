using Spark.Server.Backends;

namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class CancelEndpointTests(ServerFixture server)
{
    [Fact]
    public async Task Cancel_StopsARunningResponse_AndReturnsItCancelled()
    {
        var finished = new TaskCompletionSource<GenerationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFinished(GenerationOutcome outcome) => finished.TrySetResult(outcome);
        server.Backend.GenerationFinished += OnFinished;
        try
        {
            using var response = await server.Http.PostJsonAsync("/v1/responses",
                """{"model":"spark-tiny","input":"Tell me everything","stream":true,"temperature":0,"max_output_tokens":8000}""", HttpCompletionOption.ResponseHeadersRead);
            var events = ServerSentEvents.ReadAsync(await response.Content.ReadAsStreamAsync()).GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync());
            string id = events.Current.Json.GetProperty("response").GetProperty("id").GetString()!;
            while (await events.MoveNextAsync() && events.Current.Event != "response.output_text.delta") { }

            using var cancel = await server.Http.PostAsync($"/v1/responses/{id}/cancel", null);
            var cancelled = await cancel.JsonAsync();
            Assert.Equal(200, (int)cancel.StatusCode);
            Assert.Equal(id, cancelled.GetProperty("id").GetString());
            Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
            Assert.True(cancelled.GetProperty("usage").GetProperty("output_tokens").GetInt32() < 8000);

            var outcome = await finished.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(FinishReason.Cancelled, outcome.Reason);
            string? last = null;
            while (await events.MoveNextAsync()) last = events.Current.Event;
            Assert.Equal("response.failed", last); // the stream ends with the cancelled response

            using var stored = await server.Http.GetAsync($"/v1/responses/{id}");
            Assert.Equal("cancelled", (await stored.JsonAsync()).GetProperty("status").GetString());
            await events.DisposeAsync();
        }
        finally
        {
            server.Backend.GenerationFinished -= OnFinished;
        }
    }

    [Fact]
    public async Task Cancel_OfAFinishedResponse_ReturnsItUnchanged_AndOfAnUnknownIdIs404()
    {
        using var created = await server.Http.PostJsonAsync("/v1/responses", """{"model":"spark-tiny","input":"Hi","max_output_tokens":2}""");
        string id = (await created.JsonAsync()).GetProperty("id").GetString()!;
        using var cancel = await server.Http.PostAsync($"/v1/responses/{id}/cancel", null);
        Assert.Equal("incomplete", (await cancel.JsonAsync()).GetProperty("status").GetString());

        using var unknown = await server.Http.PostAsync("/v1/responses/resp_missing/cancel", null);
        var error = await unknown.ErrorAsync(404, "response_not_found");
        Assert.Contains("resp_missing", error.GetProperty("message").GetString());
    }
}
