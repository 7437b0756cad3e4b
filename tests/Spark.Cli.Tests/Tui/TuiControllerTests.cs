using System.Text.Json;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Agent.Sessions;
using Spark.Testing;

namespace Spark.Cli.Tests.Tui;

public class TuiControllerTests
{
    private static string Shell(string command) => JsonSerializer.Serialize(new { command });

    private static IEnumerable<string> UserTexts(JsonElement request) =>
        request.GetProperty("input").EnumerateArray()
            .Where(i => i.TryGetProperty("role", out var r) && r.GetString() == "user")
            .Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()!);

    [Fact]
    public async Task Prompt_StreamsTheAnswer_ShowsTheTiming_AndRecordsTheSession()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("Hello from the **script**.")));
        h.Keys.Enter("say hello");
        await h.WaitForAsync("Hello from the **script**."); // plain output: the text as the model wrote it
        await h.WaitIdleAsync();
        Assert.Contains("› say hello", h.Screen);
        Assert.Contains("1 request(s)", h.Screen);
        Assert.Equal("say hello", Assert.Single(UserTexts(h.Server.Requests[0])));
        var recorded = SessionReader.Read(h.Runtime.Session.FilePath);
        Assert.Equal(1, recorded.Turns);
        Assert.Equal("say hello", recorded.Info.LastPrompt);
    }

    [Fact]
    public async Task UpRecallsTheLastPrompt_EditedAtTheCursor_AndEnterSendsIt()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Text("One."), ScriptedReply.Text("Two.")));
        h.Keys.Enter("list the files");
        await h.WaitForAsync("One.");
        await h.WaitIdleAsync();
        h.Keys.Press(ConsoleKey.UpArrow);
        h.Keys.Press(ConsoleKey.Home);
        foreach (var _ in "list".ToCharArray()) h.Keys.Press(ConsoleKey.Delete);
        h.Keys.Type("count");
        h.Keys.Press(ConsoleKey.Enter, '\r');
        await h.WaitForAsync("Two.");
        Assert.Equal("count the files", UserTexts(h.Server.Requests[1]).Last());
        Assert.Contains("› count the files", h.Screen);
    }

    [Fact]
    public async Task ToolCall_IsShownWithItsOutputFolded()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("seq 1 30")),
            ScriptedReply.Text("Counted.")));
        h.Keys.Enter("count");
        await h.WaitForAsync("Counted.");
        Assert.Contains("• shell  seq 1 30", h.Screen);
        Assert.Contains("more lines …", h.Screen); // 30 lines folded to head and tail
        Assert.Contains("30", h.Screen);
        Assert.DoesNotContain("\n    15\n", h.Screen);
    }

    [Fact]
    public async Task ApplyPatch_ShowsTheFileAndItsDiff()
    {
        string patch = "*** Begin Patch\n*** Update File: a.txt\n@@\n-old line\n+new line\n*** End Patch\n";
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "apply_patch", JsonSerializer.Serialize(new { input = patch })),
            ScriptedReply.Text("Patched.")), prepareWorkspace: ws => File.WriteAllText(Path.Join(ws, "a.txt"), "old line\n"));
        h.Keys.Enter("edit a.txt");
        await h.WaitForAsync("Patched.");
        Assert.Contains("• apply_patch  Update File: a.txt", h.Screen);
        Assert.Contains("modified a.txt", h.Screen);
        Assert.Contains("-old line", h.Screen);
        Assert.Contains("+new line", h.Screen);
        Assert.Equal("new line\n", File.ReadAllText(Path.Join(h.Workspace, "a.txt")));
    }

    [Fact]
    public async Task Approval_ForThisSession_RunsTheCall_AndRemembersTheRule()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("touch made.txt")),
            ScriptedReply.Text("Made it.")), approval: ApprovalMode.Untrusted);
        h.Keys.Enter("make a file");
        await h.WaitForAsync("[s] this session");
        Assert.Contains("? approve shell  touch made.txt", h.Screen);
        Assert.Contains("[p] this project", h.Screen);
        h.Keys.Type("x"); // not an answer: asked again
        h.Keys.Type("s");
        await h.WaitForAsync("Made it.");
        Assert.Contains("approved for this session", h.Screen);
        Assert.True(File.Exists(Path.Join(h.Workspace, "made.txt")));
        Assert.Contains(h.Runtime.Policy.ActiveRules(), r => r.Scope == ApprovalScope.Session && r.Rule.Effect == RuleEffect.Allow);

        h.Keys.Enter("/approvals");
        await h.WaitForAsync("approved in this session");
        Assert.Contains("allow", h.Screen);
    }

    [Fact]
    public async Task Approval_Denied_DoesNotRunTheCall_AndTheModelIsTold()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("touch nope.txt")),
            ScriptedReply.Text("Understood.")), approval: ApprovalMode.Untrusted);
        h.Keys.Enter("make a file");
        await h.WaitForAsync("[n] deny");
        h.Keys.Type("n");
        await h.WaitForAsync("Understood.");
        Assert.Contains("✗ denied", h.Screen);
        Assert.False(File.Exists(Path.Join(h.Workspace, "nope.txt")));
        var output = h.Server.Requests[1].GetProperty("input").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call_output");
        Assert.Contains("declined", output.GetProperty("output").GetString());
    }

    [Fact]
    public async Task CtrlC_Once_Warns_Twice_Quits()
    {
        var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync());
        try
        {
            h.Keys.CtrlC();
            await h.WaitForAsync("Press Ctrl-C again to quit.");
            Assert.False(h.Completion.IsCompleted);
            h.Keys.CtrlC();
            await h.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task PipedInput_RunsEachLineAsATurn_InOrder_AndEndsWithTheInput()
    {
        var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("First answer."), ScriptedReply.Text("Second answer.")), interactive: false);
        try
        {
            h.Keys.Enter("one");
            h.Keys.Enter("two");
            h.Keys.End();
            await h.Completion.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(h.Screen.IndexOf("First answer.", StringComparison.Ordinal) < h.Screen.IndexOf("› two", StringComparison.Ordinal));
            Assert.Contains("Second answer.", h.Screen);
            Assert.DoesNotContain("steer queued", h.Screen); // the second line waited for the first turn: a prompt, not a steer
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task PipedInput_EachLineAnswersOneApprovalQuestion_TheRestOfTheLineIsNotAnAnswer()
    {
        // "yes" answers the first question with its y; its s must not answer the second one ("this session")
        var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("touch first.txt")),
            ScriptedReply.Call("c2", "shell", Shell("touch second.txt")),
            ScriptedReply.Text("Done.")), approval: ApprovalMode.Untrusted, interactive: false);
        try
        {
            h.Keys.Enter("make two files");
            h.Keys.Enter("yes");
            h.Keys.Enter("n");
            h.Keys.End();
            await h.Completion.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(File.Exists(Path.Join(h.Workspace, "first.txt")));
            Assert.False(File.Exists(Path.Join(h.Workspace, "second.txt")), h.Screen);
            Assert.Contains("approved once", h.Screen);
            Assert.Contains("✗ denied", h.Screen);
            Assert.Contains("Done.", h.Screen);
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task UnknownSlashCommand_SaysWhatExists()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync());
        h.Keys.Enter("/frobnicate");
        await h.WaitForAsync("unknown command /frobnicate");
        h.Keys.Enter("/help");
        await h.WaitForAsync("/model spark|full|NAME");
        Assert.Empty(h.Server.Requests);
    }
}

public class TuiSlashCommandTests
{
    private static IEnumerable<string> UserTexts(JsonElement request) =>
        request.GetProperty("input").EnumerateArray()
            .Where(i => i.TryGetProperty("role", out var r) && r.GetString() == "user")
            .Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()!);

    [Fact]
    public async Task Model_SwitchesMidSession_KeepingTheHistory_AndWarnsTheCacheIsCold()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("First."), ScriptedReply.Text("Second.")));
        h.Keys.Enter("one");
        await h.WaitForAsync("First.");
        await h.WaitIdleAsync();
        h.Keys.Enter("/model full");
        await h.WaitForAsync("the cache is cold");
        Assert.Contains("model scripted → full", h.Screen);
        h.Keys.Enter("two");
        await h.WaitForAsync("Second.");
        var second = h.Server.Requests[1];
        Assert.Equal("full", second.GetProperty("model").GetString());
        Assert.False(second.TryGetProperty("previous_response_id", out var prev) && prev.ValueKind == JsonValueKind.String); // the whole history instead
        Assert.Equal(["one", "two"], UserTexts(second));
        await h.WaitIdleAsync(); // the answer shows before its turn ends; /model waits for the end (failed in CI without this)
        h.Keys.Enter("/model");
        await h.WaitForAsync("/model needs one model name");
    }

    [Fact]
    public async Task New_StartsAFreshConversation_AndResume_ListsAndPicksTheOldOne()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Text("Answer A."), ScriptedReply.Text("Answer B."), ScriptedReply.Text("Answer C.")));
        h.Keys.Enter("remember apples");
        await h.WaitForAsync("Answer A.");
        await h.WaitIdleAsync();
        string first = h.Runtime.Session.Id;

        h.Keys.Enter("/new");
        await h.WaitForAsync("new conversation");
        Assert.NotEqual(first, h.Runtime.Session.Id);
        h.Keys.Enter("fresh start");
        await h.WaitForAsync("Answer B.");
        await h.WaitIdleAsync();
        Assert.Equal(["fresh start"], UserTexts(h.Server.Requests[1])); // nothing of the first conversation

        h.Keys.Enter("/resume");
        await h.WaitForAsync("recent sessions");
        Assert.Contains("remember apples", h.Screen);
        h.Keys.Enter("/resume 1");
        await h.WaitForAsync("resumed");
        Assert.Equal(first, h.Runtime.Session.Id);
        Assert.Contains("› remember apples", h.Screen); // the summary of the restored history
        h.Keys.Enter("and pears");
        await h.WaitForAsync("Answer C.");
        Assert.Equal(["remember apples", "and pears"], UserTexts(h.Server.Requests[2])); // the restored history is sent
        await h.WaitIdleAsync(); // the answer shows before its turn ends; /resume waits for the end (seen in CI)
        h.Keys.Enter("/resume no-such-id");
        await h.WaitForAsync("No session 'no-such-id'");
    }

    [Theory]
    [InlineData(false, "bigger")] // the model that session used last
    [InlineData(true, "small")] // --model was given: the model chosen now stays
    public async Task Resume_InSession_ContinuesWithTheSessionsLastModel_UnlessTheModelWasGivenAsAFlag(bool modelFromFlag, string expected)
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Text("Answer A."), ScriptedReply.Text("Answer B.")), modelFromFlag: modelFromFlag);
        h.Keys.Enter("/model bigger");
        await h.WaitForAsync("model scripted → bigger");
        h.Keys.Enter("remember apples");
        await h.WaitForAsync("Answer A.");
        await h.WaitIdleAsync();
        h.Keys.Enter("/new");
        await h.WaitForAsync("new conversation");
        h.Keys.Enter("/model small");
        await h.WaitForAsync("model bigger → small");
        h.Keys.Enter("/resume");
        await h.WaitForAsync("recent sessions");
        h.Keys.Enter("/resume 1");
        await h.WaitForAsync("resumed");
        Assert.Equal(expected, h.Runtime.Client.Model);
        h.Keys.Enter("and pears");
        await h.WaitForAsync("Answer B.");
        Assert.Equal(expected, h.Server.Requests[1].GetProperty("model").GetString());
    }

    [Fact]
    public async Task Diff_ShowsTheWorkspacesGitDiff()
    {
        static void Git(string dir, params string[] args)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        }
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(), prepareWorkspace: ws =>
        {
            Git(ws, "init", "-q");
            File.WriteAllText(Path.Join(ws, "a.txt"), "old\n");
            Git(ws, "add", "a.txt");
            Git(ws, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
            File.WriteAllText(Path.Join(ws, "a.txt"), "new\n");
            File.WriteAllText(Path.Join(ws, "b.txt"), "b\n");
        });
        h.Keys.Enter("/diff");
        await h.WaitForAsync("untracked");
        Assert.Contains("-old", h.Screen);
        Assert.Contains("+new", h.Screen);
        Assert.Contains("new file (untracked): b.txt", h.Screen);
    }

    [Fact]
    public async Task Diff_OutsideAGitRepository_SaysSo()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync());
        h.Keys.Enter("/diff");
        await h.WaitForAsync("/diff:");
        Assert.Contains("a git repository?", h.Screen);
    }
}
