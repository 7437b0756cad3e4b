using Spark.Testing;

namespace Spark.Cli.Tests.Tui;

/// <summary>The real `spark` / `spark resume` processes with piped (non-terminal) input and output.</summary>
public class InteractiveCommandTests
{
    [Fact]
    public async Task Resume_Last_RestoresTheSession_ShowsItsSummary_AndEndsWithTheInput()
    {
        using var home = new TempDirectory();
        using var workspace = new TempDirectory();
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("Noted: the code word is teal."));
        var exec = await Task.Run(() => SparkProcess.Run(home.Path, "exec", "the code word is teal", "--base-url", server.BaseUrl.ToString(), "-m", "scripted", "--cd", workspace.Path));
        Assert.True(exec.ExitCode == 0, exec.StdErr);

        var resumed = await Task.Run(() => SparkProcess.Run(home.Path, "resume", "--last", "--base-url", server.BaseUrl.ToString(), "-m", "scripted"));

        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains("› the code word is teal", resumed.StdOut);
        Assert.Contains("‹ Noted: the code word is teal.", resumed.StdOut);
        Assert.Contains(workspace.Path, resumed.StdOut); // the session's workspace, not the current directory
        Assert.DoesNotContain("\u001b[", resumed.StdOut); // piped: plain text, no escape codes
    }

    [Fact]
    public async Task ModelSwitch_IsRecorded_ResumeComesBackOnIt_AndAnExplicitModelFlagWins()
    {
        using var home = new TempDirectory();
        using var workspace = new TempDirectory();
        await using var server = await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Text("A."), ScriptedReply.Text("B."), ScriptedReply.Text("C."), ScriptedReply.Text("D."));
        string url = server.BaseUrl.ToString();
        var first = await Task.Run(() => SparkProcess.RunWithInput(home.Path, "first\n/model bigger\nsecond\n",
            "--base-url", url, "-m", "scripted", "--cd", workspace.Path, "--transport", "http"));
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Equal(["scripted", "bigger"], server.Requests.Select(r => r.GetProperty("model").GetString()));

        // no --model: the session's last model (the flag-less --base-url is fine when resuming)
        var resumed = await Task.Run(() => SparkProcess.RunWithInput(home.Path, "third\n", "resume", "--last", "--base-url", url, "--transport", "http"));
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Equal("bigger", server.Requests[2].GetProperty("model").GetString());
        Assert.Contains("session", resumed.StdOut);

        // --model given: it wins, and the file records the switch for the next resume
        var pinned = await Task.Run(() => SparkProcess.RunWithInput(home.Path, "fourth\n", "resume", "--last", "--base-url", url, "-m", "pinned", "--transport", "http"));
        Assert.True(pinned.ExitCode == 0, pinned.StdErr);
        Assert.Equal("pinned", server.Requests[3].GetProperty("model").GetString());
        var session = Spark.Agent.Sessions.SessionReader.Last(Path.Join(home.Path, "sessions"));
        Assert.Equal("pinned", session.Model);
        Assert.Single(Spark.Agent.Sessions.SessionReader.List(Path.Join(home.Path, "sessions"))); // one session, continued twice
    }

    [Fact]
    public void Resume_WithBothAnIdAndLast_IsABadInputError()
    {
        using var home = new TempDirectory();
        var result = SparkProcess.Run(home.Path, "resume", "abc", "--last");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("an ID or --last, not both", result.StdErr);
    }

    [Fact]
    public void Spark_WithABadApprovalFlag_SaysWhatIsAllowed()
    {
        using var home = new TempDirectory();
        var result = SparkProcess.Run(home.Path, "-a", "sometimes", "--base-url", "http://127.0.0.1:9/v1", "-m", "x");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("untrusted, on-request or never", result.StdErr);
    }
}
