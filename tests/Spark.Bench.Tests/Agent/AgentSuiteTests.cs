using Spark.Bench.Agent;
using Spark.Testing;

namespace Spark.Bench.Tests.Agent;

public class AgentSuiteTests
{
    internal static string WriteTask(string suite, string name, string toml = "instruction = \"do it\"\ntimeout_s = 30\n",
        string setup = "true", string check = "true", string? solution = null)
    {
        string dir = Path.Combine(suite, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, AgentTask.TomlFile), toml);
        File.WriteAllText(Path.Combine(dir, AgentTask.SetupScript), setup + "\n");
        File.WriteAllText(Path.Combine(dir, AgentTask.CheckScript), check + "\n");
        if (solution is not null) File.WriteAllText(Path.Combine(dir, AgentTask.SolutionScript), solution + "\n");
        return dir;
    }

    [Fact]
    public void Load_TaskFolders_InNameOrder_SkippingDotFolders()
    {
        using var suite = new TempDirectory();
        WriteTask(suite.Path, "b-task");
        WriteTask(suite.Path, "a-task");
        Directory.CreateDirectory(Path.Combine(suite.Path, ".cache"));
        File.WriteAllText(suite.File("README.md"), "not a task");
        var tasks = AgentSuite.Load(suite.Path);
        Assert.Equal(["a-task", "b-task"], tasks.Select(t => t.Name));
        Assert.Equal(Path.Combine(suite.Path, "a-task"), tasks[0].Directory);
    }

    [Fact]
    public void Load_TaskWithoutCheck_NamesTheMissingFile()
    {
        using var suite = new TempDirectory();
        string dir = WriteTask(suite.Path, "broken");
        File.Delete(Path.Combine(dir, AgentTask.CheckScript));
        var e = Assert.Throws<InvalidDataException>(() => AgentSuite.Load(suite.Path));
        Assert.Contains(Path.Combine(dir, "check"), e.Message);
        Assert.Contains("needs task.toml, setup and check", e.Message);
    }

    [Fact]
    public void Load_BadTaskToml_FailsBeforeAnythingRuns()
    {
        using var suite = new TempDirectory();
        WriteTask(suite.Path, "good");
        WriteTask(suite.Path, "bad", toml: "instruction = \"x\"\n");
        var e = Assert.Throws<InvalidDataException>(() => AgentSuite.Load(suite.Path));
        Assert.Contains(Path.Combine(suite.Path, "bad", "task.toml"), e.Message);
        Assert.Contains("timeout_s", e.Message);
    }

    [Fact]
    public void Load_EmptyOrMissingSuite_SaysSo()
    {
        using var suite = new TempDirectory();
        Assert.Contains("no task folders", Assert.Throws<InvalidDataException>(() => AgentSuite.Load(suite.Path)).Message);
        Assert.Contains("no such folder", Assert.Throws<DirectoryNotFoundException>(() => AgentSuite.Load(suite.File("nope"))).Message);
    }
}
