using System.Diagnostics;
using Spark.Bench.Agent;
using Spark.Testing;

namespace Spark.Bench.Tests.Agent;

/// <summary>
/// The runner with stand-in agents: bash scripts that take <c>--cd WORKSPACE INSTRUCTION</c> like spark exec and
/// print its JSON lines, so setup, timeout, process-tree kill and check are tested with real processes.
/// </summary>
public class AgentTaskRunnerTests
{
    private const string TurnCompleted =
        """{"type":"turn.completed","turn_id":1,"final_text":"done","model_requests":3,"tool_calls":2,"usage":{"input_tokens":900,"cached_tokens":600,"output_tokens":40,"total_tokens":940},"timing":{"total_ms":1000,"prefill_ms":400,"generation_ms":300,"tool_ms":200,"overhead_ms":100,"source":"client"}}""";

    private static AgentLauncher FakeAgent(TempDirectory dir, string body)
    {
        string script = dir.File("fake-agent.sh");
        File.WriteAllText(script, "set -eu\n[ \"$1\" = --cd ] || exit 64\nws=$2\ninstruction=$3\ncd \"$ws\"\n" + body + "\n");
        return new AgentLauncher("bash", [script]);
    }

    private static AgentTask OnlyTask(TempDirectory suite, int timeout = 30) =>
        AgentSuite.Load(suite.Path).Single() with { TimeoutSeconds = timeout };

    [Fact]
    public async Task Run_AgentSolvesIt_PassesWithTheTimingSplitFromTurnCompleted()
    {
        using var suite = new TempDirectory();
        using var tools = new TempDirectory();
        AgentSuiteTests.WriteTask(suite.Path, "answer", setup: "cp \"$TASK_DIR/question.txt\" .", check: "grep -qx 42 answer.txt");
        File.WriteAllText(Path.Combine(suite.Path, "answer", "question.txt"), "6*7?");
        var runner = new AgentTaskRunner(FakeAgent(tools, $"test -f question.txt\necho 42 > answer.txt\necho '{TurnCompleted}'"));

        var result = await runner.RunAsync(OnlyTask(suite), CancellationToken.None);

        Assert.Equal(AgentTaskOutcome.Passed, result.Outcome);
        Assert.Equal("pass", result.OutcomeName);
        Assert.Equal(0, result.AgentExitCode);
        Assert.Equal("", result.Detail);
        var timing = result.Transcript.Timing!;
        Assert.Equal((1000, 400, 300, 200, 100), (timing.TotalMs, timing.PrefillMs, timing.GenerationMs, timing.ToolMs, timing.NetworkMs));
        Assert.Equal((3, 2, 40), (result.Transcript.ModelRequests, result.Transcript.ToolCalls, result.Transcript.OutputTokens));
        Assert.True(result.AgentMs > 0);
        Assert.Null(result.Workspace);
    }

    [Fact]
    public async Task Run_AgentDoesNothing_FailsWithTheChecksOutput()
    {
        using var suite = new TempDirectory();
        using var tools = new TempDirectory();
        AgentSuiteTests.WriteTask(suite.Path, "answer", check: "echo 'answer.txt is missing' >&2; exit 1");
        var result = await new AgentTaskRunner(FakeAgent(tools, $"echo '{TurnCompleted}'")).RunAsync(OnlyTask(suite), CancellationToken.None);
        Assert.Equal(AgentTaskOutcome.Failed, result.Outcome);
        Assert.Contains("check exited 1", result.Detail);
        Assert.Contains("answer.txt is missing", result.Detail);
    }

    [Fact]
    public async Task Run_AgentErrors_FailsWithItsErrorEvent()
    {
        using var suite = new TempDirectory();
        using var tools = new TempDirectory();
        AgentSuiteTests.WriteTask(suite.Path, "answer", check: "exit 1");
        var agent = FakeAgent(tools, "echo 'not json'\necho '{\"type\":\"error\",\"message\":\"cannot reach http://127.0.0.1:9/v1\"}'\nexit 1");
        var result = await new AgentTaskRunner(agent).RunAsync(OnlyTask(suite), CancellationToken.None);
        Assert.Equal(AgentTaskOutcome.Failed, result.Outcome);
        Assert.Equal(1, result.AgentExitCode);
        Assert.Contains("the agent exited 1: cannot reach http://127.0.0.1:9/v1", result.Detail);
        Assert.Null(result.Transcript.Timing);
        Assert.Equal(result.AgentMs, result.StartupMs);
    }

    [Fact]
    public async Task Run_AgentPastTimeout_IsKilledWithItsWholeProcessTree()
    {
        using var suite = new TempDirectory();
        using var tools = new TempDirectory();
        string pidFile = tools.File("grandchild.pid");
        AgentSuiteTests.WriteTask(suite.Path, "slow", check: "true");
        var agent = FakeAgent(tools, $"sleep 300 &\necho $! > '{pidFile}'\nwait");

        var clock = Stopwatch.StartNew();
        var result = await new AgentTaskRunner(agent).RunAsync(OnlyTask(suite, timeout: 1), CancellationToken.None);

        Assert.Equal(AgentTaskOutcome.Timeout, result.Outcome);
        Assert.Null(result.AgentExitCode);
        Assert.Contains("timeout_s = 1", result.Detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await ExitsWithinAsync(pid, TimeSpan.FromSeconds(10)), $"the agent's child process {pid} outlived the timeout");
    }

    [Fact]
    public async Task Run_SetupFails_AgentNeverRuns()
    {
        using var suite = new TempDirectory();
        using var tools = new TempDirectory();
        string marker = tools.File("agent-ran");
        AgentSuiteTests.WriteTask(suite.Path, "broken", setup: "echo 'cannot copy files' >&2; exit 3");
        var result = await new AgentTaskRunner(FakeAgent(tools, $"touch '{marker}'")).RunAsync(OnlyTask(suite), CancellationToken.None);
        Assert.Equal(AgentTaskOutcome.SetupError, result.Outcome);
        Assert.Contains("setup exited 3", result.Detail);
        Assert.Contains("cannot copy files", result.Detail);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Run_KeepWorkspaces_LeavesTheAgentsFiles()
    {
        using var suite = new TempDirectory();
        using var tools = new TempDirectory();
        AgentSuiteTests.WriteTask(suite.Path, "answer", check: "test -f answer.txt");
        var result = await new AgentTaskRunner(FakeAgent(tools, "echo 42 > answer.txt"), keepWorkspaces: true).RunAsync(OnlyTask(suite), CancellationToken.None);
        try
        {
            Assert.Equal(AgentTaskOutcome.Passed, result.Outcome);
            Assert.NotNull(result.Workspace);
            Assert.Equal("42\n", File.ReadAllText(Path.Combine(result.Workspace!, "answer.txt")));
        }
        finally
        {
            AgentTaskRunner.DeleteWorkspace(result.Workspace!);
        }
    }

    private static async Task<bool> ExitsWithinAsync(int pid, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < wait)
        {
            // gone, or a zombie waiting for init to reap it
            if (!File.Exists($"/proc/{pid}/stat") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z") return true;
            await Task.Delay(50);
        }
        return false;
    }
}
