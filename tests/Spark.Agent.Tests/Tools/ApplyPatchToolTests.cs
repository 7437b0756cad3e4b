using Spark.Agent.Policy;
using Spark.Agent.Tools;

namespace Spark.Agent.Tests.Tools;

public class ApplyPatchToolTests
{
    private static Task<ToolResult> Patch(TestWorkspace ws, string patch) =>
        ws.Call("apply_patch", $$"""{"input": {{Json.Str(patch)}}}""");

    [Fact]
    public async Task ApplyPatch_AddUpdateDeleteMove_AllApplied()
    {
        using var ws = new TestWorkspace();
        ws.Write("src/app.py", "import os\n\ndef greet():\n    print(\"Hi\")\n    return 1\n");
        ws.Write("old.txt", "bye\n");
        ws.Write("mv.txt", "a\nb\n");
        var r = await Patch(ws, """
            *** Begin Patch
            *** Add File: docs/hello.txt
            +Hello world
            +second
            *** Update File: src/app.py
            @@ def greet():
            -    print("Hi")
            +    print("Hello, world!")
                 return 1
            *** Delete File: old.txt
            *** Update File: mv.txt
            *** Move to: moved/mv2.txt
            @@
             a
            -b
            +c
            *** End Patch
            """);
        Assert.False(r.IsError, r.Output);
        Assert.Equal("Hello world\nsecond\n", ws.Read("docs/hello.txt"));
        Assert.Equal("import os\n\ndef greet():\n    print(\"Hello, world!\")\n    return 1\n", ws.Read("src/app.py"));
        Assert.False(File.Exists(ws.PathOf("old.txt")));
        Assert.False(File.Exists(ws.PathOf("mv.txt")));
        Assert.Equal("a\nc\n", ws.Read("moved/mv2.txt"));
        Assert.Equal(
            [(FileChangeKind.Added, "docs/hello.txt", null), (FileChangeKind.Updated, "src/app.py", null),
             (FileChangeKind.Deleted, "old.txt", null), (FileChangeKind.Moved, "mv.txt", "moved/mv2.txt")],
            r.FileChanges.Select(c => (c.Kind, c.Path, c.MovedTo)));
        Assert.Equal("--- a/src/app.py\n+++ b/src/app.py\n@@ -1,5 +1,5 @@\n import os\n \n def greet():\n-    print(\"Hi\")\n+    print(\"Hello, world!\")\n     return 1\n",
            r.FileChanges[1].Diff);
        Assert.Equal("--- a/mv.txt\n+++ b/moved/mv2.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n", r.FileChanges[3].Diff);
        Assert.Contains("A docs/hello.txt", r.Output);
        Assert.Contains("R mv.txt -> moved/mv2.txt", r.Output);
    }

    [Fact]
    public async Task ApplyPatch_SeveralHunks_AppliedInOrder()
    {
        using var ws = new TestWorkspace();
        ws.Write("f.txt", string.Join("\n", Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n");
        var r = await Patch(ws, """
            *** Begin Patch
            *** Update File: f.txt
            @@
             line 2
            -line 3
            +LINE THREE
             line 4
            @@
             line 17
            -line 18
            +line 18a
            +line 18b
            *** End Patch
            """);
        Assert.False(r.IsError, r.Output);
        string text = ws.Read("f.txt");
        Assert.Contains("line 2\nLINE THREE\nline 4\n", text);
        Assert.Contains("line 17\nline 18a\nline 18b\nline 19\n", text);
    }

    [Fact]
    public async Task ApplyPatch_WhitespaceDifferences_MatchedLeniently()
    {
        using var ws = new TestWorkspace();
        ws.Write("f.txt", "a = 1   \n  b = 2\nc = \u201Cq\u201D\n");
        var r = await Patch(ws, """
            *** Begin Patch
            *** Update File: f.txt
             a = 1
            -b = 2
            +b = 3
            -c = "q"
            +c = "r"
            *** End Patch
            """);
        Assert.False(r.IsError, r.Output);
        // As in Codex, the matched block (context included) is replaced by the hunk's lines.
        Assert.Equal("a = 1\nb = 3\nc = \"r\"\n", ws.Read("f.txt"));
    }

    [Fact]
    public async Task ApplyPatch_EndOfFile_AnchorsAtTheEnd()
    {
        using var ws = new TestWorkspace();
        ws.Write("f.txt", "x\nend\nx\nend\n");
        var r = await Patch(ws, """
            *** Begin Patch
            *** Update File: f.txt
            @@
             x
            -end
            +END
            *** End of File
            *** End Patch
            """);
        Assert.False(r.IsError, r.Output);
        Assert.Equal("x\nend\nx\nEND\n", ws.Read("f.txt"));
    }

    [Fact]
    public async Task ApplyPatch_PureAddition_AfterContextLineOrAtEnd()
    {
        using var ws = new TestWorkspace();
        ws.Write("f.txt", "class A:\n    pass\n");
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: f.txt\n@@ class A:\n+    x = 1\n@@\n+# tail\n*** End Patch");
        Assert.False(r.IsError, r.Output);
        Assert.Equal("class A:\n    x = 1\n    pass\n# tail\n", ws.Read("f.txt"));
    }

    [Fact]
    public async Task ApplyPatch_CrlfFile_KeepsCrlf()
    {
        using var ws = new TestWorkspace();
        ws.Write("w.txt", "one\r\ntwo\r\n");
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: w.txt\n one\n-two\n+TWO\n+three\n*** End Patch\n");
        Assert.False(r.IsError, r.Output);
        Assert.Equal("one\r\nTWO\r\nthree\r\n", ws.Read("w.txt"));
    }

    [Fact]
    public async Task ApplyPatch_UnifiedDiffHeaderAndHeredocWrapper_Tolerated()
    {
        using var ws = new TestWorkspace();
        ws.Write("f.txt", "def f():\n    return 1\n");
        var r = await Patch(ws, "<<'EOF'\n*** Begin Patch\n*** Update File: f.txt\n@@ -1,2 +1,2 @@ def f():\n-    return 1\n+    return 2\n*** End Patch\nEOF\n");
        Assert.False(r.IsError, r.Output);
        Assert.Equal("def f():\n    return 2\n", ws.Read("f.txt"));
    }

    [Fact]
    public async Task ApplyPatch_ContextMismatch_NamesFileAndHunk()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "alpha\nbeta\n");
        ws.Write("b.txt", "one\ntwo\nthree\n");
        var r = await Patch(ws, """
            *** Begin Patch
            *** Update File: a.txt
            -alpha
            +ALPHA
            *** Update File: b.txt
            @@
             one
            -two
            +2
            @@
            -four
            +4
            *** End Patch
            """);
        Assert.True(r.IsError);
        Assert.Contains("b.txt: hunk 2 of 2 (patch line 10) did not match", r.Output);
        Assert.Contains("    four", r.Output);
        Assert.Contains("No file was changed", r.Output);
        Assert.Equal("alpha\nbeta\n", ws.Read("a.txt"));
        Assert.Equal("one\ntwo\nthree\n", ws.Read("b.txt"));
    }

    [Fact]
    public async Task ApplyPatch_MissingContextLine_NamesIt()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.py", "def f():\n    pass\n");
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: a.py\n@@ def g():\n-    pass\n+    return\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("a.py: hunk 1 of 1 (patch line 3, '@@ def g():') did not match: the context line 'def g():' was not found", r.Output);
    }

    [Fact]
    public async Task ApplyPatch_HunksOutOfOrder_SaysWhere()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "1\n2\n3\n4\n");
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: a.txt\n@@\n-3\n+three\n@@\n-1\n+one\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("hunk 2 of 2", r.Output);
        Assert.Contains("They appear earlier, at line 1", r.Output);
    }

    [Fact]
    public async Task ApplyPatch_WriteFailureInSecondFile_RestoresTheFirst()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "original\n");
        ws.Write("blocker", "i am a file, not a folder\n");
        var r = await Patch(ws, """
            *** Begin Patch
            *** Update File: a.txt
            -original
            +changed
            *** Add File: new.txt
            +new
            *** Add File: blocker/inner.txt
            +cannot exist
            *** End Patch
            """);
        Assert.True(r.IsError, r.Output);
        Assert.Contains("blocker/inner.txt: could not be written", r.Output);
        Assert.Contains("No file was changed", r.Output);
        Assert.Equal("original\n", ws.Read("a.txt"));
        Assert.False(File.Exists(ws.PathOf("new.txt")));
        Assert.Equal(["a.txt", "blocker"], Directory.GetFileSystemEntries(ws.Root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task ApplyPatch_PathOutsideWorkspace_Refused()
    {
        using var ws = new TestWorkspace();
        string outside = Path.Combine(ws.Outside, "evil.txt");
        foreach (string path in (string[])["../outside/evil.txt", outside, "sub/../../outside/evil.txt"])
        {
            var r = await Patch(ws, $"*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch");
            Assert.True(r.IsError);
            Assert.Contains("outside the workspace", r.Output);
            Assert.False(File.Exists(outside));
        }
    }

    [Fact]
    public async Task ApplyPatch_ThroughSymlinkLeavingWorkspace_Refused()
    {
        using var ws = new TestWorkspace();
        string target = Path.Combine(ws.Outside, "t.txt");
        File.WriteAllText(target, "outside\n");
        File.CreateSymbolicLink(ws.PathOf("link.txt"), target);
        Directory.CreateSymbolicLink(ws.PathOf("dirlink"), ws.Outside);
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: link.txt\n-outside\n+pwned\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("'link.txt' is outside the workspace", r.Output);
        Assert.Contains($"resolves to '{target}'", r.Output);
        var r2 = await Patch(ws, "*** Begin Patch\n*** Add File: dirlink/new.txt\n+x\n*** End Patch");
        Assert.True(r2.IsError);
        Assert.Contains("outside the workspace", r2.Output);
        Assert.Equal("outside\n", File.ReadAllText(target));
        Assert.False(File.Exists(Path.Combine(ws.Outside, "new.txt")));
    }

    [Fact]
    public async Task ApplyPatch_MoveTargetOutsideWorkspace_Refused()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "a\n");
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: a.txt\n*** Move to: ../outside/a.txt\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("outside the workspace", r.Output);
        Assert.Equal("a\n", ws.Read("a.txt"));
    }

    [Fact]
    public async Task ApplyPatch_MissingFile_SaysToAddIt()
    {
        using var ws = new TestWorkspace();
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: nope.txt\n-a\n+b\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("nope.txt: cannot update (patch line 2): the file does not exist. Use '*** Add File:'", r.Output);
        var d = await Patch(ws, "*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch");
        Assert.Contains("gone.txt: cannot delete (patch line 2): the file does not exist.", d.Output);
    }

    [Theory]
    [InlineData("*** Update File: a.txt\n-a\n+b\n*** End Patch", "Line 1: the patch must start with '*** Begin Patch'")]
    [InlineData("*** Begin Patch\n*** Update File: a.txt\n-a\n+b", "the patch must end with '*** End Patch'")]
    [InlineData("*** Begin Patch\n*** Frobnicate File: a.txt\n*** End Patch", "Line 2: expected '*** Add File: path'")]
    [InlineData("*** Begin Patch\n*** Add File: n.txt\nno plus\n*** End Patch", "Line 3: in Add File 'n.txt', every line of the new file must start with '+'")]
    [InlineData("*** Begin Patch\n*** Update File: a.txt\n-a\n+b\nbad line\n*** End Patch", "Line 5: in Update File 'a.txt' hunk 1, every line must start with")]
    [InlineData("*** Begin Patch\n*** Update File: a.txt\n*** End Patch", "Update File 'a.txt' has no hunks")]
    [InlineData("*** Begin Patch\n*** Update File: a.txt\n@@ x\n*** End Patch", "hunk 1 is empty")]
    [InlineData("*** Begin Patch\n*** End Patch", "no file sections")]
    [InlineData("", "The patch is empty")]
    public async Task ApplyPatch_MalformedPatch_ExplainsWhere(string patch, string expected)
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "a\n");
        var r = await Patch(ws, patch);
        Assert.True(r.IsError);
        Assert.Contains("invalid patch", r.Output);
        Assert.Contains(expected, r.Output);
        Assert.Equal("a\n", ws.Read("a.txt"));
    }

    [Fact]
    public async Task ApplyPatch_BinaryFile_Refused()
    {
        using var ws = new TestWorkspace();
        File.WriteAllBytes(ws.PathOf("b.bin"), [1, 0, 2, 10]);
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: b.bin\n-x\n+y\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("b.bin: is a binary file", r.Output);
    }

    [Fact]
    public async Task ApplyPatch_KeepsExecutableBit()
    {
        using var ws = new TestWorkspace();
        string p = ws.Write("run.sh", "echo a\n");
        File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = await Patch(ws, "*** Begin Patch\n*** Update File: run.sh\n-echo a\n+echo b\n*** End Patch");
        Assert.False(r.IsError, r.Output);
        Assert.True(File.GetUnixFileMode(p).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task ApplyPatch_ReadOnlySandbox_Refused()
    {
        using var ws = new TestWorkspace(SandboxMode.ReadOnly);
        var r = await Patch(ws, "*** Begin Patch\n*** Add File: n.txt\n+x\n*** End Patch");
        Assert.True(r.IsError);
        Assert.Contains("sandbox is read-only", r.Output);
        Assert.False(File.Exists(ws.PathOf("n.txt")));
    }
}

public class ShellPatchCommandTests
{
    [Theory]
    [InlineData("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\nEOF\n", "a.txt")]
    [InlineData("apply_patch <<\"PATCH\"\n*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\nPATCH", "a.txt")]
    [InlineData("cd sub && apply_patch <<EOF\n*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\nEOF", "sub/a.txt")]
    [InlineData("apply_patch '*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch'", "a.txt")]
    public async Task Shell_ApplyPatchCommand_IsAppliedByThePatchTool(string command, string created)
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(ws.PathOf("sub"));
        var r = await ws.Call("shell", $$"""{"command": {{Json.Str(command)}}}""");
        Assert.False(r.IsError, r.Output);
        Assert.StartsWith("Success. Updated the following files:", r.Output);
        Assert.Equal("hi\n", ws.Read(created));
        Assert.Single(r.FileChanges);
    }

    [Fact]
    public async Task Shell_ApplyPatchCommand_RelativeToWorkdir_AndStillConfinedToWorkspace()
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(ws.PathOf("sub"));
        var r = await ws.Call("shell", $$"""{"command": {{Json.Str("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: x.txt\n+1\n*** End Patch\nEOF")}}, "workdir": "sub"}""");
        Assert.Equal("1\n", ws.Read("sub/x.txt"));
        var escape = await ws.Call("shell", $$"""{"command": {{Json.Str("cd .. && apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: x.txt\n+1\n*** End Patch\nEOF")}}}""");
        Assert.True(escape.IsError);
        Assert.Contains("outside the workspace", escape.Output);
        Assert.False(r.IsError, r.Output);
    }

    [Fact]
    public void Policy_JudgesShellPatchAsPatch()
    {
        using var ws = new TestWorkspace();
        var readOnly = new ApprovalPolicy(ApprovalMode.Never, Sandbox.WithoutBwrap(SandboxMode.ReadOnly, ws.Workspace, "x"), ws.Workspace);
        string cmd = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ../x.txt\n+1\n*** End Patch\nEOF";
        var call = new ToolCall("shell", $$"""{"command": {{Json.Str(cmd)}}}""");
        Assert.Contains("sandbox is read-only", Assert.IsType<ApprovalDecision.Deny>(readOnly.Evaluate(call)).Reason);
        var policy = new ApprovalPolicy(ApprovalMode.Never, ws.Sandbox, ws.Workspace);
        Assert.Contains("outside the workspace", Assert.IsType<ApprovalDecision.Deny>(policy.Evaluate(call)).Reason);
        var untrusted = new ApprovalPolicy(ApprovalMode.Untrusted, ws.Sandbox, ws.Workspace);
        var inside = new ToolCall("shell", $$"""{"command": {{Json.Str(cmd.Replace("../", "", StringComparison.Ordinal))}}}""");
        var ask = Assert.IsType<ApprovalDecision.AskUser>(untrusted.Evaluate(inside));
        Assert.Equal("allow apply_patch: every call", Assert.Single(ask.SuggestedRules).ToString());
    }

    [Fact]
    public void OtherCommands_AreNotMistakenForPatches()
    {
        Assert.False(Spark.Agent.Tools.Patch.ShellPatchCommand.TryParse("echo apply_patch", out _, out _));
        Assert.False(Spark.Agent.Tools.Patch.ShellPatchCommand.TryParse("apply_patch_helper x", out _, out _));
        Assert.False(Spark.Agent.Tools.Patch.ShellPatchCommand.TryParse("rm x && apply_patch 'y'", out _, out _));
    }
}
