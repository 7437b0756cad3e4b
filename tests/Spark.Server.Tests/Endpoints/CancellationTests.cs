using Spark.Server.Backends;

namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class CancellationTests(ServerFixture server)
{
    private const int Limit = 8000;

    [Theory]
    [InlineData("/v1/responses", """{"model":"spark-tiny","input":"Tell me everything","stream":true,"temperature":0,"max_output_tokens":8000}""", "delta")]
    [InlineData("/v1/chat/completions", """{"model":"spark-tiny","messages":[{"role":"user","content":"Tell me everything"}],"stream":true,"temperature":0,"max_tokens":8000}""", "content")]
    public async Task ClientDisconnect_StopsTheGeneration(string path, string json, string marker)
    {
        var finished = new TaskCompletionSource<GenerationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFinished(GenerationOutcome outcome) => finished.TrySetResult(outcome);
        server.Backend.GenerationFinished += OnFinished;
        try
        {
            // no draining of the unread body: disposing the response closes the connection, as a client that quits does
            using (var client = server.NewClient(handler: new SocketsHttpHandler { MaxResponseDrainSize = 0 }))
            {
                var response = await client.PostJsonAsync(path, json, HttpCompletionOption.ResponseHeadersRead);
                var stream = await response.Content.ReadAsStreamAsync();
                await foreach (var e in ServerSentEvents.ReadAsync(stream))
                    if (e.Data.Contains($"\"{marker}\"", StringComparison.Ordinal)) break; // text is flowing: now hang up
                response.Dispose();
            }
            var outcome = await finished.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(FinishReason.Cancelled, outcome.Reason);
            Assert.True(outcome.OutputTokens < Limit, $"{outcome.OutputTokens} tokens generated after the client left");
        }
        finally
        {
            server.Backend.GenerationFinished -= OnFinished;
        }

        // the engine is free again
        using var next = await server.Http.PostJsonAsync("/v1/responses", """{"model":"spark-tiny","input":"Hi","max_output_tokens":2}""");
        Assert.True(next.IsSuccessStatusCode);
    }
}
