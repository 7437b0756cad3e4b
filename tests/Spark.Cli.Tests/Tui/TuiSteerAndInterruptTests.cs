using System.Text.Json;
using Spark.Agent.Loop;
using Spark.Agent.Sessions;
using Spark.Testing;

namespace Spark.Cli.Tests.Tui;

public class TuiSteerAndInterruptTests
{
    private static string Shell(string command) => JsonSerializer.Serialize(new { command });

    private static List<JsonElement> Input(JsonElement request) => [.. request.GetProperty("input").EnumerateArray()];

    /// <summary>After an interrupted call, the next request answers it as not run and tells the model the turn was aborted.</summary>
    private static void AssertTheNextRequestSaysTheCallWasNotRun(JsonElement request, string userText)
    {
        var output = Input(request).Single(i => i.GetProperty("type").GetString() == "function_call_output");
        Assert.StartsWith("Not run: the user interrupted the turn", output.GetProperty("output").GetString());
        Assert.Equal([AgentLoop.TurnAbortedNote, userText], Texts(request, "user"));
    }

    private static IEnumerable<string> Texts(JsonElement request, string role) =>
        Input(request).Where(i => i.TryGetProperty("role", out var r) && r.GetString() == role)
            .Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()!);

    [Fact]
    public async Task Esc_WhileAToolRuns_KillsIt_RecordsTheAbort_AndTheNextTurnTellsTheModel()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("touch tool.started; sleep 30; echo never")),
            ScriptedReply.Text("Ok, stopped.")));
        h.Keys.Enter("wait a long time");
        await h.WaitForAsync("• shell  touch tool.started; sleep 30");
        // Esc once the command really runs: this test is about killing a running tool (an Esc in the instant between the
        // call appearing and the tool starting has its own test below).
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !File.Exists(Path.Combine(h.Workspace, "tool.started"));)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("the shell command never started");
            await Task.Delay(10);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        h.Keys.Escape();
        await h.WaitForAsync("■ interrupted", seconds: 10);
        await h.WaitIdleAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the interrupt took {clock.Elapsed}");
        Assert.Contains("interrupted by the user", h.Screen); // the killed command's result is kept

        h.Keys.Enter("what happened?");
        await h.WaitForAsync("Ok, stopped.");
        var second = h.Server.Requests[1];
        var output = Input(second).Single(i => i.GetProperty("type").GetString() == "function_call_output");
        Assert.Contains("interrupted by the user", output.GetProperty("output").GetString());
        Assert.Equal([AgentLoop.TurnAbortedNote, "what happened?"], Texts(second, "user")); // only the new items follow previous_response_id
        Assert.Contains("\"type\":\"turn_aborted\"", File.ReadAllText(h.Runtime.Session.FilePath));
    }

    [Fact]
    public async Task Esc_BetweenTheCallAppearingAndTheToolStarting_IsNotLost_TheCommandNeverRuns()
    {
        // The flaky CI failure, reproduced exactly: Esc is handled the instant the call is on the screen, before its
        // tool starts (the hook runs on the turn's thread as it writes the call). The command used to be started anyway
        // with the cancelled token, and its group kill came before the child's setsid: it ran all its 30 s.
        var esc = new ConsoleKeyInfo('\u001b', ConsoleKey.Escape, false, false, false);
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
                ScriptedReply.Call("c1", "shell", Shell("touch ran; sleep 30")),
                ScriptedReply.Text("Ok, stopped.")),
            onScreen: ("• shell  touch ran; sleep 30", controller => controller.HandleKeyAsync(esc).GetAwaiter().GetResult()));
        h.Keys.Enter("wait a long time");
        await h.WaitForAsync("■ interrupted", seconds: 20);
        await h.WaitIdleAsync();
        Assert.False(File.Exists(Path.Combine(h.Workspace, "ran")), "the command ran although Esc came before it started");

        h.Keys.Enter("what happened?");
        await h.WaitForAsync("Ok, stopped.");
        AssertTheNextRequestSaysTheCallWasNotRun(h.Server.Requests[1], "what happened?");
    }

    [Fact]
    public async Task Esc_AtTheApprovalQuestion_DeniesTheCall_AndInterruptsTheTurn()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("touch made.txt")),
            ScriptedReply.Text("Fine, I will not.")), approval: Spark.Agent.Policy.ApprovalMode.Untrusted);
        h.Keys.Enter("make a file");
        await h.WaitForAsync("[n] deny");
        Assert.Contains("[n] deny · Esc interrupt", h.Screen); // the question says what Esc does
        h.Keys.Escape();
        await h.WaitForAsync("■ interrupted", seconds: 20);
        await h.WaitIdleAsync();
        Assert.False(File.Exists(Path.Combine(h.Workspace, "made.txt")));
        Assert.Single(h.Server.Requests); // the turn ended: the model was not asked again

        h.Keys.Enter("never mind");
        await h.WaitForAsync("Fine, I will not.");
        AssertTheNextRequestSaysTheCallWasNotRun(h.Server.Requests[1], "never mind");
    }

    [Fact]
    public async Task EscTypedRightAfterApproving_IsNotSwallowedByTheAnsweredQuestion()
    {
        // "y" then Esc in one burst: the question used to take every key until its task had woken up, so the Esc went
        // to an already-answered question and the approved 30 s command ran to its end.
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("touch approved; sleep 30")),
            ScriptedReply.Text("Ok.")), approval: Spark.Agent.Policy.ApprovalMode.Untrusted);
        h.Keys.Enter("wait a long time");
        await h.WaitForAsync("[n] deny");
        h.Keys.Type("y");
        h.Keys.Escape();
        await h.WaitForAsync("■ interrupted", seconds: 20);
        await h.WaitIdleAsync();
        Assert.Single(h.Server.Requests); // interrupted: the turn did not go on to ask the model again
    }

    [Fact]
    public async Task Esc_WhileTheAnswerStreams_KeepsThePartialAnswer_MarkedInterrupted()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Unfinished("The first half of an answer"),
            ScriptedReply.Text("Fine.")));
        h.Keys.Enter("tell me everything");
        await h.WaitForAsync("The first half of an answer");
        h.Keys.Escape();
        await h.WaitForAsync("■ interrupted", seconds: 10);
        Assert.Contains("the partial answer above is kept", h.Screen);
        await h.WaitIdleAsync();

        h.Keys.Enter("shorter please");
        await h.WaitForAsync("Fine.");
        var second = h.Server.Requests[1];
        Assert.Equal(["The first half of an answer"], Texts(second, "assistant"));
        Assert.Equal(["tell me everything", AgentLoop.TurnAbortedNote, "shorter please"], Texts(second, "user"));
        var recorded = SessionReader.Read(h.Runtime.Session.FilePath);
        Assert.Equal(2, recorded.Turns);
    }

    [Fact]
    public async Task TypingWhileAToolRuns_SteersThatTurn_QueuedThenApplied_WithTheNextRequest()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", Shell("sleep 1")),
            ScriptedReply.Text("Steered answer.")));
        h.Keys.Enter("do the thing");
        await h.WaitForAsync("• shell  sleep 1");
        h.Keys.Enter("use python instead");
        await h.WaitForAsync("↳ steer queued: use python instead");
        await h.WaitForAsync("Steered answer.");
        Assert.Contains("↳ steer applied: use python instead", h.Screen);
        Assert.True(h.Screen.IndexOf("steer applied", StringComparison.Ordinal) < h.Screen.IndexOf("Steered answer.", StringComparison.Ordinal));
        Assert.Equal(2, h.Server.Requests.Count); // one turn, two requests: the steer did not start a turn of its own
        Assert.Equal("use python instead", Texts(h.Server.Requests[1], "user").Last());
        var recorded = SessionReader.Read(h.Runtime.Session.FilePath);
        Assert.Equal(1, recorded.Turns);
    }

    [Fact]
    public async Task SteerThatMissesItsTurn_IsTooLate_NeverANewTurn_AndWaitsInTheInputLine()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Text("Done already.") with { Delay = TimeSpan.FromSeconds(3) },
            ScriptedReply.Text("Second turn.")));
        h.Keys.Enter("quick one");
        while (h.Server.Requests.Count == 0) await Task.Delay(10); // the request is in flight, its answer a second away
        h.Keys.Enter("and also this");
        await h.WaitForAsync("↳ steer too late");
        await h.WaitIdleAsync();
        await Task.Delay(300);
        Assert.Single(h.Server.Requests); // not sent, and no new turn
        Assert.Contains("back in the input line", h.Screen);

        h.Keys.Press(ConsoleKey.Enter, '\r'); // the text waits in the input line: Enter sends it, as the user's choice
        await h.WaitForAsync("Second turn.");
        Assert.Equal("and also this", Texts(h.Server.Requests[1], "user").Last());
    }
}

public class TuiWebSocketSteeringTests
{
    [Fact]
    public async Task TypingWhileTheAnswerStreams_OverTheWebSocket_SendsResponseSteer_AndTheSteeredAnswerFollows()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(webSockets: true,
            ScriptedReply.Steerable("Once upon a time, in a very long story", "Hello, as you asked.")));
        Assert.Equal("ws", h.Runtime.Client.TransportName);
        h.Keys.Enter("tell me a long story");
        await h.WaitForAsync("Once upon a time, in a very long story");
        h.Keys.Enter("just say hello");
        await h.WaitForAsync("Hello, as you asked.");
        await h.WaitIdleAsync();
        string screen = h.Screen;
        int queued = screen.IndexOf("↳ steer queued: just say hello", StringComparison.Ordinal);
        int accepted = screen.IndexOf("↳ steer accepted", StringComparison.Ordinal);
        int applied = screen.IndexOf("↳ steer applied", StringComparison.Ordinal);
        Assert.True(queued >= 0 && queued < accepted && accepted < applied && applied < screen.IndexOf("Hello, as you asked.", StringComparison.Ordinal), screen);
        Assert.Equal(["just say hello"], h.Server.Steers);
        // the history: the prompt, the steered partial answer, the steering message, the successor's answer
        var history = h.Runtime.Client.History.OfType<Spark.Protocol.Responses.MessageItem>().Select(m => (m.Role, m.Text())).ToList();
        Assert.Equal([("user", "tell me a long story"), ("assistant", "Once upon a time, in a very long story"), ("user", "just say hello"), ("assistant", "Hello, as you asked.")], history);
    }

    [Fact]
    public async Task Esc_WhileTheAnswerStreamsOverTheWebSocket_StopsIt_AndTheNextTurnWorks()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(webSockets: true,
            ScriptedReply.Unfinished("A long answer that"), ScriptedReply.Text("Short now.")));
        Assert.Equal("ws", h.Runtime.Client.TransportName);
        h.Keys.Enter("talk");
        await h.WaitForAsync("A long answer that");
        h.Keys.Escape();
        await h.WaitForAsync("■ interrupted", seconds: 20);
        await h.WaitIdleAsync();

        h.Keys.Enter("shorter");
        await h.WaitForAsync("Short now.");
        var history = h.Runtime.Client.History.OfType<Spark.Protocol.Responses.MessageItem>().Select(m => (m.Role, m.Text())).ToList();
        Assert.Equal([("user", "talk"), ("assistant", "A long answer that"), ("user", AgentLoop.TurnAbortedNote), ("user", "shorter"), ("assistant", "Short now.")], history);
    }

    [Fact]
    public async Task SteerAfterTheAnswerCompleted_OverTheWebSocket_IsTooLate_NotANewTurn()
    {
        await using var h = await TuiHarness.StartAsync(await ScriptedResponsesServer.StartAsync(webSockets: true,
            ScriptedReply.Text("Short answer."), ScriptedReply.Text("unused")));
        h.Keys.Enter("quick");
        await h.WaitForAsync("Short answer.");
        await h.WaitIdleAsync();
        Assert.False(await h.Runtime.Loop.SteerAsync("too slow", CancellationToken.None) is null); // the loop refuses: no turn
        Assert.Empty(h.Server.Steers);
        Assert.Equal(2, h.Server.Requests.Count); // the prewarm and the one request: nothing more
    }
}
