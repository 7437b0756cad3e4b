using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Protocol.Responses;
using Spark.Testing;

namespace Spark.Agent.Tests.Client;

[Collection(SparkServerCollection.Name)]
public class WebSocketTransportTests(SparkServerFixture server)
{
    private ResponsesEndpoint Endpoint => new(server.BaseUrl, SparkServerFixture.ApiKey);

    private async Task<ResponsesClient> OpenAsync(int maxOutputTokens, ClientTransport mode = ClientTransport.WebSocket)
    {
        var transport = await ClientTransports.OpenAsync(mode, Endpoint, n => Assert.Fail("unexpected notice: " + n), CancellationToken.None);
        return new ResponsesClient(transport, new ResponsesClientOptions { Model = SparkServerFixture.ModelId, Instructions = "You are a terse assistant.", MaxOutputTokens = maxOutputTokens });
    }

    private static MessageItem User(string text) => new() { Role = "user", Content = [ContentPart.InputText(text)] };

    [Fact]
    public async Task Auto_AgainstSpark_UsesTheWebSocket_PrewarmMakesTheFirstTurnCached_AndTheFollowUpContinuesIt()
    {
        using var client = await OpenAsync(4, ClientTransport.Auto);
        Assert.Equal("ws", client.TransportName);

        client.Add(User("Tell me about caches."));
        Assert.True(await client.PrewarmAsync(CancellationToken.None));
        var first = await client.SendAsync(_ => { }, CancellationToken.None);
        var usage = first.Response.Usage!;
        Assert.True(usage.InputTokensDetails.CachedTokens > 0, $"the prewarmed prompt should be cached: {usage.InputTokensDetails.CachedTokens} of {usage.InputTokens}");
        Assert.NotNull(first.Response.PreviousResponseId); // it continued the prewarm response

        client.Add(User("And then?"));
        var second = await client.SendAsync(_ => { }, CancellationToken.None);
        Assert.Equal(first.Response.Id, second.Response.PreviousResponseId); // only the new items were sent
        Assert.True(second.Response.Usage!.InputTokensDetails.CachedTokens >= usage.InputTokens,
            $"the follow-up reuses the first turn's cache: {second.Response.Usage.InputTokensDetails.CachedTokens} cached, first prompt {usage.InputTokens}");
        Assert.Equal(["user", "assistant", "user", "assistant"], client.History.OfType<MessageItem>().Select(m => m.Role));
    }

    [Fact]
    public async Task NewSocket_ForgetsTheUnstoredPrewarm_PreviousResponseNotFound_ResendsTheWholeHistory()
    {
        var transport = new ReconnectingTransport(Endpoint, await WebSocketResponsesTransport.ConnectAsync(Endpoint, CancellationToken.None));
        using var client = new ResponsesClient(transport, new ResponsesClientOptions { Model = SparkServerFixture.ModelId, MaxOutputTokens = 3 });
        client.Add(User("Hello there."));
        Assert.True(await client.PrewarmAsync(CancellationToken.None)); // store: false, so only that socket knows it
        await transport.ReconnectAsync();

        var done = await client.SendAsync(_ => { }, CancellationToken.None);

        Assert.Equal(3, transport.Sent.Count); // prewarm, the continuation the new socket refused, the full resend
        Assert.NotNull(transport.Sent[1].PreviousResponseId);
        Assert.Empty(transport.Sent[1].Input!.Items);
        Assert.Null(transport.Sent[2].PreviousResponseId);
        Assert.Equal("Hello there.", Assert.IsType<MessageItem>(Assert.Single(transport.Sent[2].Input!.Items)).Content[0].Text);
        Assert.Null(done.Response.PreviousResponseId);
    }

    [Fact]
    public async Task AgentLoop_OverWebSocket_PrewarmsTheFirstTurn_AndRunsTwoTurns()
    {
        using var workspace = new TestWorkspace();
        var transport = await ClientTransports.OpenAsync(ClientTransport.WebSocket, Endpoint, _ => { }, CancellationToken.None);
        using var client = new ResponsesClient(transport, new ResponsesClientOptions
        {
            Model = SparkServerFixture.ModelId, Instructions = AgentInstructions.For(workspace.Root), Tools = AgentLoop.Declarations(workspace.Tools), MaxOutputTokens = 4,
        });
        var loop = new AgentLoop(client, workspace.Tools, new ApprovalPolicy(ApprovalMode.Never, workspace.Sandbox, workspace.Workspace), new AgentLoopOptions { MaxModelRequests = 1 });
        var events = new List<AgentEvent>();

        var first = await loop.RunTurnAsync("say hi", events.Add, CancellationToken.None);
        var second = await loop.RunTurnAsync("again", events.Add, CancellationToken.None);
        Assert.True(first.Usage.CachedTokens > 0, $"the first turn was prewarmed: {first.Usage.CachedTokens} of {first.Usage.InputTokens} cached");
        Assert.True(second.Usage.CachedTokens >= first.Usage.InputTokens, "the second turn continues the first's cache");
        Assert.Contains(client.History, i => i is MessageItem { Role: "user" } m && m.Content[0].Text == "again");
    }

    [Fact]
    public async Task Steer_OverWebSocket_IsAccepted_AndTheSuccessorsTextFollows()
    {
        // the steer races the tiny model's answer (which may end after ~200 tokens on a busy machine): when it lands too
        // late the server refuses it (response_already_completed), and the scenario is tried again on a fresh session
        for (int attempt = 1; ; attempt++)
        {
            using var client = await OpenAsync(2000);
            client.Add(User("Tell me a long story."));
            var updates = new List<SteerUpdate>();
            var deltasAfterSwitch = 0;
            Task? steer = null;
            var done = await client.SendAsync(_ =>
            {
                steer ??= client.SteerAsync("Actually, just say hello.", CancellationToken.None);
                if (updates.OfType<ResponseSteered>().Any()) deltasAfterSwitch++;
            }, CancellationToken.None, updates.Add);
            await steer!;
            if (!updates.OfType<SteerAccepted>().Any() && attempt < 3) continue;

            Assert.True(updates.OfType<SteerAccepted>().Count() == 1 && updates.OfType<ResponseSteered>().Count() == 1,
                $"updates: {string.Join(", ", updates)}; final {done.Response.Status} {done.Response.IncompleteDetails?.Reason} after {done.Response.Usage?.OutputTokens} tokens");
            var accepted = updates.OfType<SteerAccepted>().Single();
            var switched = updates.OfType<ResponseSteered>().Single();
            Assert.Equal(accepted.ResponseId, switched.SteeredId);
            Assert.Equal(switched.SuccessorId, done.Response.Id);
            Assert.Equal(switched.SteeredId, done.Response.PreviousResponseId);
            Assert.True(deltasAfterSwitch > 0 || done.Response.Usage!.OutputTokens == 0, "the successor's text streams on");
            // the history: the prompt, the steered partial answer, the steering message, the successor's answer
            Assert.Equal("Actually, just say hello.", client.History.OfType<MessageItem>().Where(m => m.Role == "user").Last().Content[0].Text);
            Assert.Equal("Tell me a long story.", client.History.OfType<MessageItem>().First().Content[0].Text);
            Assert.Null(client.RunningResponseId);
            return;
        }
    }

    [Fact]
    public async Task Steer_WithNoResponseRunning_IsTooLate_AndNeverANewTurn()
    {
        using var workspace = new TestWorkspace();
        using var client = await OpenAsync(2);
        var loop = new AgentLoop(client, workspace.Tools, new ApprovalPolicy(ApprovalMode.Never, workspace.Sandbox, workspace.Workspace), new AgentLoopOptions());
        string? why = await loop.SteerAsync("faster", CancellationToken.None);
        Assert.Contains("too late", why);
        Assert.Empty(client.History);
    }
}

/// <summary>A WebSocket transport whose socket the test can swap for a new one, as a reconnect after a drop does.</summary>
internal sealed class ReconnectingTransport(ResponsesEndpoint endpoint, WebSocketResponsesTransport first) : IResponsesTransport
{
    private WebSocketResponsesTransport _current = first;

    public List<ResponseCreateRequest> Sent { get; } = [];

    public string Name => _current.Name;

    public bool SupportsSessionFeatures => true;

    public async Task ReconnectAsync()
    {
        _current.Dispose();
        _current = await WebSocketResponsesTransport.ConnectAsync(endpoint, CancellationToken.None);
    }

    public IAsyncEnumerable<ResponseStreamEvent> StreamAsync(ResponseCreateRequest request, CancellationToken cancellationToken)
    {
        Sent.Add(request);
        return _current.StreamAsync(request, cancellationToken);
    }

    public Task SteerAsync(string responseId, string text, CancellationToken cancellationToken) => _current.SteerAsync(responseId, text, cancellationToken);

    public void Dispose() => _current.Dispose();
}
