using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Agent.Sessions;
using Spark.Testing;

namespace Spark.Agent.Tests.Loop;

/// <summary>An agent loop wired to a scripted server, a temporary workspace and an optional session file; collects every event.</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    public AgentHarness(ScriptedResponsesServer server, ApprovalMode mode = ApprovalMode.Never, SessionWriter? session = null, TestWorkspace? workspace = null, int maxRequests = 10)
    {
        Server = server;
        Workspace = workspace ?? new TestWorkspace();
        Policy = new ApprovalPolicy(mode, Workspace.Sandbox, Workspace.Workspace);
        Client = new ResponsesClient(
            new HttpResponsesTransport(new ResponsesEndpoint(server.BaseUrl, "test-key")),
            new ResponsesClientOptions { Model = "scripted", Instructions = AgentInstructions.For(Workspace.Root), Tools = AgentLoop.Declarations(Workspace.Tools) });
        Loop = new AgentLoop(Client, Workspace.Tools, Policy, new AgentLoopOptions { MaxModelRequests = maxRequests }, session);
    }

    public ScriptedResponsesServer Server { get; }
    public TestWorkspace Workspace { get; }
    public ApprovalPolicy Policy { get; }
    public ResponsesClient Client { get; }
    public AgentLoop Loop { get; }
    public List<AgentEvent> Events { get; } = [];

    public Task<TurnCompleted> RunAsync(string prompt) =>
        Loop.RunTurnAsync(prompt, e => { lock (Events) Events.Add(e); }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Workspace.Dispose();
        await Server.DisposeAsync();
    }
}
