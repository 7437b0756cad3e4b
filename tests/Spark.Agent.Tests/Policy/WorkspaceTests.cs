using Spark.Agent.Policy;

namespace Spark.Agent.Tests.Policy;

public class WorkspaceTests
{
    [Fact]
    public void Resolve_RelativeAndDotDotInside_StaysInside()
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(ws.PathOf("a/b"));
        Assert.Equal(ws.PathOf("a/c.txt"), ws.Workspace.Resolve("a/b/../c.txt"));
        Assert.Equal(ws.Root, ws.Workspace.Resolve("."));
        Assert.Equal(ws.PathOf("new/dir/f.txt"), ws.Workspace.Resolve("new/dir/f.txt")); // missing parts kept as written
        Assert.Equal(ws.PathOf("x"), ws.Workspace.Resolve(ws.PathOf("x")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../outside/f.txt")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("missing/../../x")]
    public void Resolve_LeavingTheWorkspace_Throws(string path)
    {
        using var ws = new TestWorkspace();
        var e = Assert.Throws<PathOutsideWorkspaceException>(() => ws.Workspace.Resolve(path));
        Assert.Contains($"'{path}' is outside the workspace '{ws.Root}'", e.Message);
    }

    [Fact]
    public void Resolve_SymlinkedDirectoryLeavingWorkspace_Throws_EvenForMissingFiles()
    {
        using var ws = new TestWorkspace();
        Directory.CreateSymbolicLink(ws.PathOf("escape"), ws.Outside);
        var e = Assert.Throws<PathOutsideWorkspaceException>(() => ws.Workspace.Resolve("escape/new.txt"));
        Assert.Contains($"resolves to '{Path.Combine(ws.Outside, "new.txt")}'", e.Message);
        Assert.Throws<PathOutsideWorkspaceException>(() => ws.Workspace.Resolve("missing/../escape/new.txt"));
        Assert.Throws<PathOutsideWorkspaceException>(() => ws.Workspace.Resolve("a/b/../../escape/new.txt"));
    }

    [Fact]
    public void Resolve_DanglingSymlinkPointingOutside_Throws()
    {
        using var ws = new TestWorkspace();
        File.CreateSymbolicLink(ws.PathOf("dangling"), Path.Combine(ws.Outside, "not-yet"));
        Assert.Throws<PathOutsideWorkspaceException>(() => ws.Workspace.Resolve("dangling"));
    }

    [Fact]
    public void Resolve_RelativeSymlinkWithDotDot_ResolvedPhysically()
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(ws.PathOf("a/b"));
        Directory.CreateSymbolicLink(ws.PathOf("link"), "a/b");
        // link/.. is a (the parent of the link's target), not the workspace root.
        Assert.Equal(ws.PathOf("a/x"), ws.Workspace.Resolve("link/../x"));
        Directory.CreateSymbolicLink(ws.PathOf("a/b/up"), "../../..");
        Assert.Throws<PathOutsideWorkspaceException>(() => ws.Workspace.Resolve("a/b/up/f"));
    }

    [Fact]
    public void Resolve_SymlinkLoop_ReportsIt()
    {
        using var ws = new TestWorkspace();
        File.CreateSymbolicLink(ws.PathOf("l1"), "l2");
        File.CreateSymbolicLink(ws.PathOf("l2"), "l1");
        Assert.Contains("Too many levels of symbolic links", Assert.Throws<IOException>(() => ws.Workspace.Resolve("l1")).Message);
    }

    [Fact]
    public void Root_WorkspaceReachedThroughSymlink_IsResolved()
    {
        using var ws = new TestWorkspace();
        string alias = Path.Combine(ws.Outside, "alias");
        Directory.CreateSymbolicLink(alias, ws.Root);
        var viaAlias = new Workspace(alias);
        Assert.Equal(ws.Root, viaAlias.Root);
        Assert.Equal(ws.PathOf("f"), viaAlias.Resolve(Path.Combine(alias, "f")));
    }

    [Fact]
    public void Constructor_MissingFolder_SaysSo() =>
        Assert.Contains("does not exist", Assert.Throws<DirectoryNotFoundException>(() => new Workspace("/nonexistent/spark-ws")).Message);
}
