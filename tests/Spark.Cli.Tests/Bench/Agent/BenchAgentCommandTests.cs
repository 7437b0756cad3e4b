using System.Text.Json;
using Spark.Testing;

namespace Spark.Cli.Tests.Bench.Agent;

/// <summary>
/// `spark bench agent` end to end: the real spark binary starts the real `spark exec --json` per task, against a
/// scripted Responses server whose replies solve one task (through the shell tool) and not the other.
/// </summary>
public class BenchAgentCommandTests
{
    private static void WriteTask(string suite, string name, string instruction, string check)
    {
        string dir = Path.Combine(suite, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "task.toml"), $"instruction = \"{instruction}\"\ntimeout_s = 120\n");
        File.WriteAllText(Path.Combine(dir, "setup"), "echo 'what is 6*7?' > question.txt\n");
        File.WriteAllText(Path.Combine(dir, "check"), check + "\n");
    }

    [Fact]
    public async Task BenchAgent_AgainstScriptedServer_RunsExecPerTask_AndReportsPassFailWithTheTimeSplit()
    {
        using var home = new TempDirectory();
        using var suite = new TempDirectory();
        WriteTask(suite.Path, "a-answer", "Write the answer to question.txt into answer.txt", "grep -qx 42 answer.txt");
        WriteTask(suite.Path, "b-unsolved", "Write a poem into poem.txt", "test -s poem.txt");
        await using var server = await ScriptedResponsesServer.StartAsync(
            ScriptedReply.Call("c1", "shell", """{"command":"cat question.txt && echo 42 > answer.txt"}"""),
            ScriptedReply.Text("Done: answer.txt says 42."),
            ScriptedReply.Text("I would rather not."));
        string outDir = Path.Combine(home.Path, "out");

        var r = await Task.Run(() => SparkProcess.Run(home.Path, "bench", "agent", "--suite", suite.Path,
            "--url", server.BaseUrl.ToString(), "--model", "scripted", "--out", outDir));

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.Contains("[1/2] a-answer", r.StdErr);
        Assert.Matches(@"\| a-answer +\| pass +\|", r.StdOut);
        Assert.Matches(@"\| b-unsolved +\| fail +\|", r.StdOut);
        Assert.Contains("1 of 2 tasks passed", r.StdOut);

        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))).RootElement;
        Assert.Equal(1, report.GetProperty("passed").GetInt32());
        var solved = report.GetProperty("tasks")[0];
        Assert.Equal("a-answer", solved.GetProperty("name").GetString());
        Assert.Equal(2, solved.GetProperty("model_requests").GetInt32());
        Assert.Equal(1, solved.GetProperty("tool_calls").GetInt32());
        var timing = solved.GetProperty("timing");
        Assert.True(timing.GetProperty("tool_ms").GetDouble() > 0, timing.ToString());
        Assert.True(timing.GetProperty("generation_ms").GetDouble() >= 0, timing.ToString());
        Assert.True(solved.GetProperty("agent_ms").GetDouble() >= timing.GetProperty("total_ms").GetDouble());
        var unsolved = report.GetProperty("tasks")[1];
        Assert.Equal("fail", unsolved.GetProperty("outcome").GetString());
        Assert.Contains("check exited 1", unsolved.GetProperty("detail").GetString());
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(outDir, "agent-durations.svg")));
    }

    [Fact]
    public void BenchAgent_BadTaskToml_ExitsTwoNamingTheFileAndKey()
    {
        using var home = new TempDirectory();
        using var suite = new TempDirectory();
        WriteTask(suite.Path, "typo", "x", "true");
        File.WriteAllText(Path.Combine(suite.Path, "typo", "task.toml"), "instruction = \"x\"\ntimeout = 60\n");
        var r = SparkProcess.Run(home.Path, "bench", "agent", "--suite", suite.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"error: {Path.Combine(suite.Path, "typo", "task.toml")}: unknown key 'timeout'", r.StdErr);
    }

    [Fact]
    public void BenchAgent_UrlWithoutModel_IsABadFlag()
    {
        using var home = new TempDirectory();
        using var suite = new TempDirectory();
        WriteTask(suite.Path, "t", "x", "true");
        var r = SparkProcess.Run(home.Path, "bench", "agent", "--suite", suite.Path, "--url", "http://127.0.0.1:9/v1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--model is required with --url", r.StdErr);
    }
}
