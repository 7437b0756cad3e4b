using System.Text.Json;
using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Agent.Tools;
using Spark.Testing;

namespace Spark.Agent.Tests.Loop;

/// <summary>
/// Interrupting a turn at each point where the user's Esc can land. The cancellation is issued from inside the loop's
/// own callbacks (the call event, the approval question), so each test hits its instant exactly, without timing luck.
/// </summary>
public class InterruptTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>A tool that notes every start and then runs until it is cancelled.</summary>
    private sealed class ProbeTool : ITool
    {
        public int Starts;

        public ToolSpec Spec { get; } = ToolSpec.Create("probe", "Runs until interrupted.",
            """{"type": "object", "properties": {}, "additionalProperties": false}""");

        public bool IsMutating(ToolArguments arguments) => true;

        public async Task<ToolResult> InvokeAsync(ToolArguments arguments, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Starts);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return ToolResult.Error("unreachable");
        }
    }

    private sealed class Setup : IAsyncDisposable
    {
        public Setup(ScriptedResponsesServer server, ApprovalMode mode, Func<ToolCall, ApprovalDecision.AskUser, CancellationToken, Task<bool>>? approver = null)
        {
            Server = server;
            var shell = new ShellTool(Workspace.Workspace, Workspace.Sandbox);
            var tools = new ToolRegistry([shell, Probe]);
            Client = new ResponsesClient(new HttpResponsesTransport(new ResponsesEndpoint(server.BaseUrl)),
                new ResponsesClientOptions { Model = "scripted", Tools = AgentLoop.Declarations(tools) });
            Loop = new AgentLoop(Client, tools, new ApprovalPolicy(mode, Workspace.Sandbox, Workspace.Workspace),
                new AgentLoopOptions { Approver = approver });
        }

        public ScriptedResponsesServer Server { get; }
        public TestWorkspace Workspace { get; } = new();
        public ProbeTool Probe { get; } = new();
        public ResponsesClient Client { get; }
        public AgentLoop Loop { get; }
        public List<AgentEvent> Events { get; } = [];

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Workspace.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static string OutputSent(ScriptedResponsesServer server, int request) =>
        server.Requests[request].GetProperty("input").EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "function_call_output").GetProperty("output").GetString()!;

    [Fact]
    public async Task Interrupt_BetweenTheCallEventAndTheToolStart_TheToolNeverStarts_AndTheCallIsRecordedAsNotRun()
    {
        await using var s = new Setup(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("p1", "probe", "{}"), ScriptedReply.Text("Understood.")), ApprovalMode.Never);
        using var esc = new CancellationTokenSource();
        var turn = s.Loop.RunTurnAsync("run the probe", e =>
        {
            s.Events.Add(e);
            if (e is ToolCallRequested) esc.Cancel(); // the call is on the screen; the tool has not started yet
        }, esc.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => turn.WaitAsync(Generous));
        Assert.Equal(0, s.Probe.Starts);
        Assert.IsType<TurnAborted>(s.Events[^1]);
        Assert.DoesNotContain(s.Events, e => e is ToolCallFinished);

        await s.Loop.RunTurnAsync("what happened?", s.Events.Add, CancellationToken.None).WaitAsync(Generous);
        Assert.StartsWith("Not run: the user interrupted the turn", OutputSent(s.Server, 1));
    }

    [Fact]
    public async Task Interrupt_BetweenTheCallEventAndTheShellStart_TheCommandNeverRuns_AndTheTurnEndsAtOnce()
    {
        // The flaky TUI test's instant: the command was started with an already-cancelled token, its group kill came
        // before the child's setsid had made the group, and the 30 s command ran to its end.
        await using var s = new Setup(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", JsonSerializer.Serialize(new { command = "touch ran; sleep 30" })), ScriptedReply.Text("ok")), ApprovalMode.Never);
        using var esc = new CancellationTokenSource();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var turn = s.Loop.RunTurnAsync("wait", e =>
        {
            s.Events.Add(e);
            if (e is ToolCallRequested) esc.Cancel();
        }, esc.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => turn.WaitAsync(Generous));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the interrupted turn took {clock.Elapsed}");
        await Task.Delay(200); // a command started anyway would have touched the file by now
        Assert.False(File.Exists(s.Workspace.PathOf("ran")), "the command ran although the turn was interrupted before it started");
        Assert.IsType<TurnAborted>(s.Events[^1]);
        await s.Loop.RunTurnAsync("what happened?", s.Events.Add, CancellationToken.None).WaitAsync(Generous);
        Assert.StartsWith("Not run: the user interrupted the turn", OutputSent(s.Server, 1));
    }

    [Fact]
    public async Task Interrupt_WhileTheUserIsAskedForApproval_TheApprovedCallNeverStarts()
    {
        // Esc while the approval question waits, with the answer "yes" already on its way: the turn is over, so the
        // approved call must not start.
        CancellationTokenSource? esc = null;
        await using var s = new Setup(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("p1", "probe", "{}"), ScriptedReply.Text("Understood.")), ApprovalMode.Untrusted,
            (_, _, _) => { esc!.Cancel(); return Task.FromResult(true); });
        esc = new CancellationTokenSource();
        var turn = s.Loop.RunTurnAsync("run the probe", s.Events.Add, esc.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => turn.WaitAsync(Generous));
        Assert.Equal(0, s.Probe.Starts);
        Assert.IsType<TurnAborted>(s.Events[^1]);
        esc.Dispose();
    }

    [Fact]
    public async Task Interrupt_WhileTheToolRuns_EndsItAndTheTurn_WithTheToolsResultKept()
    {
        await using var s = new Setup(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("p1", "probe", "{}"), ScriptedReply.Text("Understood.")), ApprovalMode.Never);
        using var esc = new CancellationTokenSource();
        var turn = s.Loop.RunTurnAsync("run the probe", s.Events.Add, esc.Token);
        while (Volatile.Read(ref s.Probe.Starts) == 0)
        {
            Assert.False(turn.IsCompleted, "the turn ended before the probe started");
            await Task.Delay(10);
        }
        esc.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => turn.WaitAsync(Generous));
        var finished = Assert.Single(s.Events.OfType<ToolCallFinished>());
        Assert.Contains("interrupted by the user", finished.Output);
        Assert.IsType<TurnAborted>(s.Events[^1]);
        await s.Loop.RunTurnAsync("what happened?", s.Events.Add, CancellationToken.None).WaitAsync(Generous);
        Assert.Contains("interrupted by the user", OutputSent(s.Server, 1));
    }
}
