using Spark.Agent.Policy;

namespace Spark.Agent.Tests.Policy;

public class SandboxTests
{
    [Fact]
    public void WithoutBwrap_IsUnavailableWithReason_ExceptFullAccess()
    {
        using var ws = new TestWorkspace();
        var s = Sandbox.WithoutBwrap(SandboxMode.WorkspaceWrite, ws.Workspace, "bwrap is not installed");
        Assert.False(s.IsAvailable);
        Assert.Equal("bwrap is not installed", s.UnavailableReason);
        Assert.Equal(["bash", "-c", "ls"], s.Wrap("ls", ws.Root));
        var full = Sandbox.WithoutBwrap(SandboxMode.DangerFullAccess, ws.Workspace, "ignored");
        Assert.True(full.IsAvailable);
        Assert.Null(full.UnavailableReason);
        Assert.True(full.AllowsWrites);
        Assert.False(Sandbox.WithoutBwrap(SandboxMode.ReadOnly, ws.Workspace, "x").AllowsWrites);
    }

    [BwrapFact]
    public void Bwrap_WorkspaceWrite_BindsWorkspaceWritableAfterReadOnlyRoot()
    {
        using var ws = new TestWorkspace();
        var argv = Sandbox.Create(SandboxMode.WorkspaceWrite, ws.Workspace).Wrap("make", ws.Root);
        string joined = string.Join(' ', argv);
        Assert.EndsWith("bwrap", argv[0]);
        Assert.Contains($"--ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind {ws.Root} {ws.Root}", joined);
        Assert.EndsWith($"--chdir {ws.Root} bash -c make", joined);
        var readOnly = string.Join(' ', Sandbox.Create(SandboxMode.ReadOnly, ws.Workspace).Wrap("make", ws.Root));
        Assert.Contains($"--ro-bind {ws.Root} {ws.Root}", readOnly);
    }
}
