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
