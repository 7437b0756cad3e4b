using Spark.Agent.Loop;
using Spark.Testing;

namespace Spark.Agent.Tests.Loop;

public class AgentsMdFilesTests
{
    [Fact]
    public void Discover_FromTheRepositoryRootDownToTheWorkingDirectory_RootFirst()
    {
        using var dir = new TempDirectory();
        string repo = Path.Join(dir.Path, "repo"), sub = Path.Join(repo, "a", "b");
        Directory.CreateDirectory(Path.Join(repo, ".git"));
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Join(dir.Path, "AGENTS.md"), "outside the repository: not used");
        File.WriteAllText(Path.Join(repo, "AGENTS.md"), "root rules");
        File.WriteAllText(Path.Join(sub, "AGENTS.md"), "leaf rules");

        var files = AgentsMdFiles.Discover(sub);

        Assert.Equal([Path.Join(repo, "AGENTS.md"), Path.Join(sub, "AGENTS.md")], files);
        string section = AgentsMdFiles.Section(files);
        Assert.True(section.IndexOf("root rules", StringComparison.Ordinal) < section.IndexOf("leaf rules", StringComparison.Ordinal));
        Assert.DoesNotContain("not used", section);
        Assert.StartsWith(AgentInstructions.For(sub), AgentInstructions.For(sub, files));
    }

    [Fact]
    public void Discover_OutsideARepository_TakesOnlyTheWorkingDirectorysFile()
    {
        using var dir = new TempDirectory();
        string sub = Path.Join(dir.Path, "x");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Join(dir.Path, "AGENTS.md"), "parent");
        Assert.Empty(AgentsMdFiles.Discover(sub));
        File.WriteAllText(Path.Join(sub, "AGENTS.md"), "here");
        Assert.Equal([Path.Join(sub, "AGENTS.md")], AgentsMdFiles.Discover(sub));
        Assert.Equal("", AgentsMdFiles.Section([]));
    }

    [Fact]
    public void Section_CutsTextBeyondTheLimit_AndSaysSo()
    {
        using var dir = new TempDirectory();
        string big = Path.Join(dir.Path, "AGENTS.md");
        File.WriteAllText(big, new string('x', AgentsMdFiles.MaxBytes + 500));
        string section = AgentsMdFiles.Section([big]);
        Assert.Contains("(cut: the instruction files exceed", section);
        Assert.True(section.Length < AgentsMdFiles.MaxBytes + 1000);
    }
}
