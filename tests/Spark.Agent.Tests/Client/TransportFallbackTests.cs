using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Agent.Tests.Loop;
using Spark.Testing;

namespace Spark.Agent.Tests.Client;

// the scripted server speaks HTTP/SSE only: its GET /v1/responses refuses the WebSocket upgrade
public class TransportFallbackTests
{
    [Fact]
    public async Task Auto_WhenTheUpgradeIsRefused_FallsBackToHttpOnce_AndSaysSo()
    {
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("over SSE"));
        var notices = new List<string>();
        using var transport = await ClientTransports.OpenAsync(ClientTransport.Auto, new ResponsesEndpoint(server.BaseUrl), notices.Add, CancellationToken.None);

        Assert.Equal("http", transport.Name);
        Assert.False(transport.SupportsSessionFeatures);
        Assert.Contains("using HTTP/SSE", Assert.Single(notices));
    }

    [Fact]
    public async Task ForcedWs_WhenTheUpgradeIsRefused_IsAClearError()
    {
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("unused"));
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() =>
            ClientTransports.OpenAsync(ClientTransport.WebSocket, new ResponsesEndpoint(server.BaseUrl), _ => Assert.Fail("no fallback for ws"), CancellationToken.None));
        Assert.Equal(WebSocketResponsesTransport.UpgradeRefusedCode, e.Code);
        Assert.Contains("WebSocket upgrade", e.Message);
        Assert.Contains("instead of 101", e.Message);
        Assert.Contains("--transport http", e.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ForcedWs_NobodyListening_IsAClearError()
    {
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() =>
            ClientTransports.OpenAsync(ClientTransport.WebSocket, new ResponsesEndpoint(new Uri("http://127.0.0.1:9/v1")), _ => { }, CancellationToken.None));
        Assert.Contains("could not be reached", e.Message);
    }

    [Fact]
    public async Task Steer_OverHttp_WithNoTurnRunning_IsTooLate_AndTheClientCannotSteer()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("hi")));
        string? why = await h.Loop.SteerAsync("shorter", CancellationToken.None);
        Assert.Contains("too late", why);
        Assert.Empty(h.Client.History);
        await Assert.ThrowsAsync<NotSupportedException>(() => h.Client.SteerAsync("shorter", CancellationToken.None));
    }

    [Fact]
    public void Parse_KnowsTheThreeSpellings()
    {
        Assert.Equal(ClientTransport.WebSocket, ClientTransports.Parse("ws"));
        Assert.Equal(ClientTransport.Http, ClientTransports.Parse("http"));
        Assert.Equal(ClientTransport.Auto, ClientTransports.Parse("auto"));
        Assert.Contains("use auto, http or ws", Assert.Throws<ArgumentException>(() => ClientTransports.Parse("carrier-pigeon")).Message);
    }
}
