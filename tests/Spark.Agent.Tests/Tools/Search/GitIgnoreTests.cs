using Spark.Agent.Tools.Search;

namespace Spark.Agent.Tests.Tools.Search;

public class GitIgnoreTests
{
    private static bool Ignored(string gitignore, string path, bool isDirectory = false) =>
        WorkspaceWalker.IsIgnored([new GitIgnoreRules("", gitignore.Split('\n'))], path, isDirectory);

    [Theory]
    [InlineData("*.log", "a.log", true)]
    [InlineData("*.log", "deep/dir/a.log", true)]         // no slash: a name at any depth
    [InlineData("*.log", "a.log.txt", false)]
    [InlineData("/build", "build", true)]                 // leading slash: anchored
    [InlineData("/build", "src/build", false)]
    [InlineData("doc/*.txt", "doc/a.txt", true)]          // middle slash: anchored too
    [InlineData("doc/*.txt", "x/doc/a.txt", false)]
    [InlineData("doc/*.txt", "doc/sub/a.txt", false)]     // '*' does not cross '/'
    [InlineData("**/logs", "logs", true)]
    [InlineData("**/logs", "a/b/logs", true)]
    [InlineData("logs/**", "logs/a/b.txt", true)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "xa/b", false)]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file10.txt", false)]
    [InlineData("[ab].txt", "a.txt", true)]
    [InlineData("[!ab].txt", "a.txt", false)]
    [InlineData("[!ab].txt", "c.txt", true)]
    [InlineData("# comment", "# comment", false)]
    [InlineData("\\#hash", "#hash", true)]
    [InlineData("trailing   ", "trailing", true)]
    public void Pattern_MatchesLikeGit(string pattern, string path, bool ignored) =>
        Assert.Equal(ignored, Ignored(pattern, path));

    [Fact]
    public void DirectoryPattern_MatchesOnlyDirectories()
    {
        Assert.True(Ignored("out/", "out", isDirectory: true));
        Assert.False(Ignored("out/", "out", isDirectory: false));
        Assert.True(Ignored("out/", "a/out", isDirectory: true));
    }

    [Fact]
    public void Negation_LastMatchWins()
    {
        Assert.False(Ignored("*.log\n!keep.log", "keep.log"));
        Assert.True(Ignored("*.log\n!keep.log", "other.log"));
        Assert.True(Ignored("!keep.log\n*.log", "keep.log"));
    }

    [Fact]
    public void NestedGitignore_OverridesParentForItsSubtree()
    {
        var stack = new List<GitIgnoreRules>
        {
            new("", ["*.txt"]),
            new("sub", ["!keep.txt", "/local.md"]),
        };
        Assert.True(WorkspaceWalker.IsIgnored(stack, "a.txt", false));
        Assert.True(WorkspaceWalker.IsIgnored(stack, "sub/a.txt", false));
        Assert.False(WorkspaceWalker.IsIgnored(stack, "sub/keep.txt", false));
        Assert.True(WorkspaceWalker.IsIgnored(stack, "keep.txt", false));      // the negation only covers sub/
        Assert.True(WorkspaceWalker.IsIgnored(stack, "sub/local.md", false));  // anchored to sub/
        Assert.False(WorkspaceWalker.IsIgnored(stack, "sub/x/local.md", false));
    }

    [Fact]
    public void Walker_SkipsIgnoredFoldersGitAndSymlinks_AndCannotReincludeInsideIgnoredFolder()
    {
        using var ws = new TestWorkspace();
        ws.Write(".gitignore", "bin/\n*.tmp\n!important.tmp\n");
        ws.Write("bin/out.txt", "x");
        ws.Write("bin/.gitignore", "!out.txt\n");
        ws.Write("a.tmp", "x");
        ws.Write("important.tmp", "x");
        ws.Write("src/main.cs", "x");
        ws.Write("src/.gitignore", "gen/\n");
        ws.Write("src/gen/g.cs", "x");
        ws.Write(".git/config", "x");
        ws.Write(".git/info/exclude", "secret.txt\n");
        ws.Write("secret.txt", "x");
        File.CreateSymbolicLink(ws.PathOf("link.cs"), ws.PathOf("src/main.cs"));
        var files = new WorkspaceWalker(ws.Root).EnumerateFiles(ws.Root).Select(e => e.RelativePath).ToList();
        Assert.Equal([".gitignore", "important.tmp", "src/.gitignore", "src/main.cs"], files);
        var fromSub = new WorkspaceWalker(ws.Root).EnumerateFiles(ws.PathOf("src")).Select(e => e.RelativePath).ToList();
        Assert.Equal(["src/.gitignore", "src/main.cs"], fromSub);
    }

    [Fact]
    public void Glob_BraceExpansion()
    {
        Assert.Equal(["*.cs", "*.md"], GlobPattern.ExpandBraces("*.{cs,md}"));
        Assert.Equal(["a/x.ts", "a/x.tsx", "b/x.ts", "b/x.tsx"], GlobPattern.ExpandBraces("{a,b}/x.{ts,tsx}"));
        Assert.Equal(["plain"], GlobPattern.ExpandBraces("plain"));
    }
}
