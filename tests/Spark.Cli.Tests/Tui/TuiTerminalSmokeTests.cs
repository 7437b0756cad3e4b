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
}
