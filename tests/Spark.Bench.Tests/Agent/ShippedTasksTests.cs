using Spark.Bench.Agent;

namespace Spark.Bench.Tests.Agent;

/// <summary>
/// Every task shipped in bench/tasks is a real task: its check fails on the freshly set-up workspace and passes
/// once the reference solution is applied (so neither a broken setup nor a check that cannot fail slips in).
/// </summary>
public class ShippedTasksTests
{
    private static readonly string Suite = Path.Combine(RepositoryRoot(), "bench", "tasks");

    public static TheoryData<string> TaskNames() => new(AgentSuite.Load(Suite).Select(t => t.Name));

    [Fact]
    public void Suite_HasAtLeastTwelveTasks_InCSharpPythonAndShell()
    {
        var names = AgentSuite.Load(Suite).Select(t => t.Name).ToArray();
        Assert.True(names.Length >= 12, $"only {names.Length} tasks");
        Assert.Contains(names, n => n.StartsWith("cs-", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("py-", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("sh-", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public async Task Task_CheckFailsAfterSetup_AndPassesAfterTheSolution(string name)
    {
        var task = AgentSuite.Load(Suite).Single(t => t.Name == name);
        Assert.True(File.Exists(task.File(AgentTask.SolutionScript)), $"{name} has no solution script");
        string workspace = AgentTaskRunner.CreateWorkspace(name);
        try
        {
            var setup = await AgentTaskRunner.RunScriptAsync(task, AgentTask.SetupScript, workspace, CancellationToken.None);
            Assert.True(setup.ExitCode == 0, $"setup failed: {setup.Tail()}");
            var before = await AgentTaskRunner.RunScriptAsync(task, AgentTask.CheckScript, workspace, CancellationToken.None);
            Assert.True(before.ExitCode is not 0 and not null, $"check passes (or hangs) before the task is done: {before.Tail()}");
            var solution = await AgentTaskRunner.RunScriptAsync(task, AgentTask.SolutionScript, workspace, CancellationToken.None);
            Assert.True(solution.ExitCode == 0, $"solution failed: {solution.Tail()}");
            var after = await AgentTaskRunner.RunScriptAsync(task, AgentTask.CheckScript, workspace, CancellationToken.None);
            Assert.True(after.ExitCode == 0, $"check fails after the reference solution: {after.Tail(20)}");
        }
        finally
        {
            AgentTaskRunner.DeleteWorkspace(workspace);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Spark.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Spark.sln above {AppContext.BaseDirectory}");
    }
}
