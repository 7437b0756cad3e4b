using Spark.Testing;

namespace Spark.Cli.Tests.Tui;

/// <summary>The real `spark` binary in a real (tmux) 80×24 terminal against the scripted server: type, steer, quit.</summary>
public class TuiTerminalSmokeTests
{
    [TmuxFact]
    public async Task Spark_InATerminal_AnswersATask_TakesASteerMidStream_AndQuitsOnCtrlCTwice()
    {
        await using var server = await ScriptedResponsesServer.StartAsync(webSockets: true,
            ScriptedReply.Steerable("Once upon a time there was a very long story", "Hello! (steered)"));
        using var dir = new TempDirectory();
        string workspace = Path.Join(dir.Path, "ws");
        Directory.CreateDirectory(workspace);
        string spark = Path.Combine(AppContext.BaseDirectory, "spark.dll");
        string command = $"cd '{workspace}' && env SPARK_HOME='{dir.Path}/home' dotnet '{spark}' --base-url {server.BaseUrl} -m scripted " +
                         "--sandbox danger-full-access -a never; echo SPARK-EXITED-$?; sleep 30";
        using var tmux = new TmuxSession(command);

        await tmux.WaitForAsync("Type a task");
        await tmux.WaitForAsync("scripted · ws"); // the status line
        tmux.SendKeys("tell me a story", "Enter");
        await tmux.WaitForAsync("Once upon a time there was a very long story");
        tmux.SendKeys("just say hello", "Enter");
        string screen = await tmux.WaitForAsync("Hello! (steered)");
        Assert.Contains("steer queued: just say hello", screen);
        Assert.Contains("steer applied", screen);
        Assert.Equal(["just say hello"], server.Steers);
        screen = await tmux.WaitForAsync("tokens out"); // the turn's timing line
        Assert.True(screen.IndexOf("Once upon a time", StringComparison.Ordinal) < screen.IndexOf("steer queued", StringComparison.Ordinal), screen);

        tmux.SendKeys("C-c");
        await tmux.WaitForAsync("Press Ctrl-C again to quit.");
        tmux.SendKeys("C-c");
        screen = await tmux.WaitForAsync("SPARK-EXITED-0");
        foreach (string line in screen.Split('\n'))
            Assert.True(line.TrimEnd().Length <= 80, $"a line is wider than the terminal: '{line}'");
    }

    [TmuxFact]
    public async Task Spark_InATerminal_EditsTheLineAtTheCursor_AndRecallsTheHistory()
    {
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("First answer."), ScriptedReply.Text("Second answer."));
        using var dir = new TempDirectory();
        string workspace = Path.Join(dir.Path, "ws");
        Directory.CreateDirectory(workspace);
        string spark = Path.Combine(AppContext.BaseDirectory, "spark.dll");
        string command = $"cd '{workspace}' && env SPARK_HOME='{dir.Path}/home' dotnet '{spark}' --base-url {server.BaseUrl} -m scripted " +
                         "--sandbox danger-full-access -a never --transport http; echo SPARK-EXITED-$?; sleep 30";
        using var tmux = new TmuxSession(command);
        await tmux.WaitForAsync("Type a task");

        // the terminal's own key sequences: arrows, Home/End, Backspace, Delete, Ctrl-A
        tmux.SendKeys("helo wXorld");
        await tmux.WaitForAsync("helo wXorld");
        tmux.SendKeys("Left", "Left", "Left", "Left", "BSpace", "Home", "Right", "Right", "Right", "l", "End", "!");
        await tmux.WaitForAsync("hello world!");
        tmux.SendKeys("Enter");
        await tmux.WaitForAsync("First answer.");
        await tmux.WaitForAsync("tokens out");
        tmux.SendKeys("Up", "C-a", "DC", "H", "Enter");
        await tmux.WaitForAsync("Second answer.");
        Assert.Equal("hello world!", UserText(server.Requests[0]));
        Assert.Equal("Hello world!", UserText(server.Requests[1]));

        tmux.SendKeys("C-c");
        await tmux.WaitForAsync("Press Ctrl-C again to quit.");
        tmux.SendKeys("C-c");
        await tmux.WaitForAsync("SPARK-EXITED-0");
    }

    private static string UserText(System.Text.Json.JsonElement request) =>
        request.GetProperty("input").EnumerateArray().Last(i => i.TryGetProperty("role", out var r) && r.GetString() == "user")
            .GetProperty("content")[0].GetProperty("text").GetString()!;
}
