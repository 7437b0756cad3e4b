using System.Text.Json;
using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Protocol.Responses;
using Spark.Testing;

namespace Spark.Agent.Tests.Loop;

public class AgentLoopTests
{
    [Fact]
    public async Task TextOnlyTurn_StreamsDeltas_SendsToolsAndInstructions_AndReturnsTheAnswer()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("Hello from the script.", usage: ResponseUsage.Of(120, 100, 5))));
        var done = await h.RunAsync("say hello");

        Assert.Equal("Hello from the script.", done.FinalText);
        Assert.Equal(1, done.ModelRequests);
        Assert.Equal(0, done.ToolCalls);
        Assert.Equal(new TurnUsage(120, 100, 5), done.Usage);
        Assert.Equal("Hello from the script.", string.Concat(h.Events.OfType<TextDelta>().Select(d => d.Delta)));
        Assert.True(h.Events.OfType<TextDelta>().Count() > 1);
        Assert.IsType<TurnStarted>(h.Events[0]);
        Assert.IsType<TurnCompleted>(h.Events[^1]);

        var request = Assert.Single(h.Server.Requests);
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.Equal("scripted", request.GetProperty("model").GetString());
        Assert.Contains(h.Workspace.Root, request.GetProperty("instructions").GetString());
        Assert.Equal(["shell", "apply_patch", "read_file", "list_dir", "grep", "update_plan"],
            request.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.All(request.GetProperty("tools").EnumerateArray(), t => Assert.Equal("function", t.GetProperty("type").GetString()));
        Assert.False(request.TryGetProperty("previous_response_id", out _));
        var input = Assert.Single(request.GetProperty("input").EnumerateArray());
        Assert.Equal("say hello", input.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("Bearer test-key", h.Server.LastAuthorization);
    }

    [Fact]
    public async Task Timing_PartsAddUpToTheTotal()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", """{"command":"sleep 0.2"}"""), ScriptedReply.Text("ok")));
        var t = (await h.RunAsync("wait")).Timing;
        Assert.Equal("client", t.Source);
        Assert.True(t.Tools >= TimeSpan.FromMilliseconds(150), $"tools {t.Tools}");
        Assert.True(t.Prefill > TimeSpan.Zero);
        Assert.True((t.Total - (t.Prefill + t.Generation + t.Tools + t.Overhead)).Duration() < TimeSpan.FromMilliseconds(1), t.ToString());
    }

    [Fact]
    public async Task ShellCall_RunsInTheWorkspace_AndSendsOnlyTheOutputWithPreviousResponseId()
    {
        var call = ScriptedReply.Call("call_1", "shell", """{"command":"echo shell-says-hi && pwd"}""");
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(call, ScriptedReply.Text("It printed the greeting.")));
        var done = await h.RunAsync("run echo");

        Assert.Equal("It printed the greeting.", done.FinalText);
        Assert.Equal(2, done.ModelRequests);
        Assert.Equal(1, done.ToolCalls);
        var result = Assert.Single(h.Events.OfType<ToolCallFinished>());
        Assert.Equal("allowed", result.Approval);
        Assert.False(result.IsError, result.Output);
        Assert.Contains("shell-says-hi", result.Output);
        Assert.Contains(h.Workspace.Root, result.Output);

        var first = h.Server.Requests[0];
        var second = h.Server.Requests[1];
        Assert.NotNull(call.ResponseId);
        Assert.Equal(call.ResponseId, second.GetProperty("previous_response_id").GetString());
        var output = Assert.Single(second.GetProperty("input").EnumerateArray());
        Assert.Equal("function_call_output", output.GetProperty("type").GetString());
        Assert.Equal("call_1", output.GetProperty("call_id").GetString());
        Assert.Contains("shell-says-hi", output.GetProperty("output").GetString());
        Assert.Equal(first.GetProperty("tools").GetArrayLength(), second.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task ServerThatDoesNotStore_GetsTheFullHistoryEveryRequest()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "read_file", """{"path":"notes.txt"}""", store: false),
            ScriptedReply.Text("The notes say hi.", store: false)));
        h.Workspace.Write("notes.txt", "hi\n");
        await h.RunAsync("read the notes");

        var second = h.Server.Requests[1];
        Assert.False(second.TryGetProperty("previous_response_id", out _));
        Assert.Equal(["message", "function_call", "function_call_output"],
            second.GetProperty("input").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task ForgottenPreviousResponse_IsRetriedWithTheFullHistory()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "list_dir", """{"path":"."}"""),
            ScriptedReply.Error(404, "Previous response with id 'x' not found.", "previous_response_not_found"),
            ScriptedReply.Text("Listed.")));
        var done = await h.RunAsync("list");

        Assert.Equal("Listed.", done.FinalText);
        Assert.Equal(3, h.Server.Requests.Count);
        Assert.True(h.Server.Requests[1].TryGetProperty("previous_response_id", out _));
        Assert.False(h.Server.Requests[2].TryGetProperty("previous_response_id", out _));
        Assert.Equal(3, h.Server.Requests[2].GetProperty("input").GetArrayLength());
    }

    [Fact]
    public async Task ApplyPatchCall_EditsTheFileInTheWorkspace()
    {
        const string patch = "*** Begin Patch\n*** Update File: hello.py\n@@\n-print('hello')\n+print('hello, world')\n*** End Patch\n";
        string args = JsonSerializer.Serialize(new Dictionary<string, string> { ["input"] = patch });
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("p1", "apply_patch", args), ScriptedReply.Text("Patched.")));
        h.Workspace.Write("hello.py", "import sys\nprint('hello')\n");
        var done = await h.RunAsync("greet the world");

        Assert.Equal("Patched.", done.FinalText);
        Assert.Equal("import sys\nprint('hello, world')\n", h.Workspace.Read("hello.py"));
        var result = Assert.Single(h.Events.OfType<ToolCallFinished>());
        Assert.False(result.IsError, result.Output);
        Assert.Contains("hello.py", h.Server.Requests[1].GetProperty("input")[0].GetProperty("output").GetString());
    }

    [Fact]
    public async Task CallNeedingApproval_InNonInteractiveMode_IsNotRunAndTheModelIsToldWhy()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
                ScriptedReply.Call("d1", "shell", """{"command":"rm victim.txt"}"""), ScriptedReply.Text("I could not delete it.")),
            mode: ApprovalMode.Untrusted);
        h.Workspace.Write("victim.txt", "keep me");
        var done = await h.RunAsync("delete victim.txt");

        Assert.Equal("I could not delete it.", done.FinalText);
        Assert.True(File.Exists(h.Workspace.PathOf("victim.txt")));
        var result = Assert.Single(h.Events.OfType<ToolCallFinished>());
        Assert.Equal("not_approved", result.Approval);
        Assert.True(result.IsError);
        string sent = h.Server.Requests[1].GetProperty("input")[0].GetProperty("output").GetString()!;
        Assert.StartsWith("Not run:", sent);
        Assert.Contains("nobody to ask", sent);
        Assert.Contains("--ask-for-approval never", sent);
    }

    [Fact]
    public async Task CallNeedingApproval_ApprovedByTheApprover_Runs()
    {
        var workspace = new TestWorkspace();
        await using var server = await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("d1", "shell", """{"command":"rm victim.txt"}"""), ScriptedReply.Text("Deleted."));
        var policy = new ApprovalPolicy(ApprovalMode.Untrusted, workspace.Sandbox, workspace.Workspace);
        var asked = new List<string>();
        using var client = new ResponsesClient(new HttpResponsesTransport(new ResponsesEndpoint(server.BaseUrl)),
            new ResponsesClientOptions { Model = "scripted", Tools = AgentLoop.Declarations(workspace.Tools) });
        var loop = new AgentLoop(client, workspace.Tools, policy, new AgentLoopOptions
        {
            Approver = (call, ask, _) => { asked.Add(ask.Reason); return Task.FromResult(true); },
        });
        workspace.Write("victim.txt", "bye");
        var events = new List<AgentEvent>();
        await loop.RunTurnAsync("delete victim.txt", events.Add, CancellationToken.None);

        Assert.Contains("rm victim.txt", Assert.Single(asked));
        Assert.False(File.Exists(workspace.PathOf("victim.txt")));
        Assert.Equal("allowed", Assert.Single(events.OfType<ToolCallFinished>()).Approval);
        workspace.Dispose();
    }

    [Fact]
    public async Task DeniedCall_ReadOnlySandbox_PatchIsRefusedWithTheReason()
    {
        string args = JsonSerializer.Serialize(new Dictionary<string, string> { ["input"] = "*** Begin Patch\n*** Add File: new.txt\n+x\n*** End Patch\n" });
        var workspace = new TestWorkspace(SandboxMode.ReadOnly);
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("p1", "apply_patch", args), ScriptedReply.Text("Read-only, sorry.")), workspace: workspace);
        await h.RunAsync("add a file");

        Assert.False(File.Exists(h.Workspace.PathOf("new.txt")));
        var result = Assert.Single(h.Events.OfType<ToolCallFinished>());
        Assert.Equal("denied", result.Approval);
        Assert.StartsWith("Not run: the approval policy refused this call.", result.Output);
        Assert.Contains("read-only", result.Output);
    }

    [Fact]
    public async Task ServerErrorStatus_IsAClearException()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(ScriptedReply.Error(500, "the GPU caught fire")));
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() => h.RunAsync("hi"));
        Assert.Contains("500", e.Message);
        Assert.Contains("the GPU caught fire", e.Message);
        Assert.Contains("/v1/responses", e.Message);
        Assert.Equal(500, e.Status);
    }

    [Fact]
    public async Task FailedResponse_IsAClearException()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(ScriptedReply.Failed("out of memory while decoding")));
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() => h.RunAsync("hi"));
        Assert.Equal("The response failed: out of memory while decoding", e.Message);
    }

    [Fact]
    public async Task TruncatedStream_IsAClearException()
    {
        var whole = ScriptedReply.Text("never finished");
        var cut = whole with { Body = whole.Body[..whole.Body.IndexOf("event: response.completed", StringComparison.Ordinal)] };
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(cut));
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() => h.RunAsync("hi"));
        Assert.Contains("ended the event stream before the response completed", e.Message);
    }

    [Fact]
    public async Task SilentServer_MidStream_IsGivenUpAfterTheIdleTimeout()
    {
        var whole = ScriptedReply.Text("half an answer");
        var stalled = whole with { Body = whole.Body[..whole.Body.IndexOf("event: response.output_text.done", StringComparison.Ordinal)], HoldOpen = true };
        await using var server = await ScriptedResponsesServer.StartAsync(stalled);
        using var client = new ResponsesClient(
            new HttpResponsesTransport(new ResponsesEndpoint(server.BaseUrl) { StreamIdleTimeout = TimeSpan.FromMilliseconds(300) }),
            new ResponsesClientOptions { Model = "m" });
        client.Add(new MessageItem { Role = "user", Content = [ContentPart.InputText("hi")] });
        var deltas = new List<string>();
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() => client.SendAsync(deltas.Add, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("sent nothing for 0.3 s in the middle of a response", e.Message);
        Assert.Equal("half an answer", string.Concat(deltas));
    }

    [Fact]
    public async Task UnreachableServer_SaysSoAndNamesTheUrl()
    {
        var server = await ScriptedResponsesServer.StartAsync();
        var url = server.BaseUrl;
        await server.DisposeAsync();
        using var client = new ResponsesClient(new HttpResponsesTransport(new ResponsesEndpoint(url)), new ResponsesClientOptions { Model = "m" });
        client.Add(new MessageItem { Role = "user", Content = [ContentPart.InputText("hi")] });
        var e = await Assert.ThrowsAsync<ResponsesApiException>(() => client.SendAsync(_ => { }, CancellationToken.None));
        Assert.Contains($"Cannot reach {url}/responses", e.Message);
    }

    [Fact]
    public async Task ModelThatNeverStopsCallingTools_HitsTheRequestLimit()
    {
        await using var h = new AgentHarness(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("a", "list_dir", """{"path":"."}"""), ScriptedReply.Call("b", "list_dir", """{"path":"."}""")), maxRequests: 2);
        var e = await Assert.ThrowsAsync<AgentException>(() => h.RunAsync("loop"));
        Assert.Contains("after 2 model requests", e.Message);
    }
}
