namespace Spark.Agent.Tests.Tools;

public class ReadFileToolTests
{
    [Fact]
    public async Task ReadFile_WholeFile_NumbersLines()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "one\ntwo\nthree\n");
        var r = await ws.Call("read_file", """{"path": "a.txt"}""");
        Assert.False(r.IsError, r.Output);
        Assert.Equal("L1: one\nL2: two\nL3: three", r.Output);
    }

    [Fact]
    public async Task ReadFile_Range_ReturnsThoseLinesAndHowToReadOn()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", string.Join("\n", Enumerable.Range(1, 10).Select(i => $"x{i}")));
        var r = await ws.Call("read_file", """{"path": "a.txt", "start_line": 3, "end_line": 4}""");
        Assert.Equal("L3: x3\nL4: x4", r.Output);
        var tail = await ws.Call("read_file", """{"path": "a.txt", "start_line": 9}""");
        Assert.Equal("L9: x9\nL10: x10", tail.Output);
    }

    [Fact]
    public async Task ReadFile_LongFile_StopsAtLimitWithContinuationNote()
    {
        using var ws = new TestWorkspace();
        ws.Write("big.txt", string.Join("\n", Enumerable.Range(1, 2500).Select(i => $"l{i}")) + "\n");
        var r = await ws.Call("read_file", """{"path": "big.txt"}""");
        Assert.Contains("L2000: l2000", r.Output);
        Assert.DoesNotContain("L2001:", r.Output);
        Assert.EndsWith("[showing lines 1-2000 of 2500; call read_file with start_line=2001 to read on]", r.Output);
    }

    [Fact]
    public async Task ReadFile_VeryLongLine_IsCut()
    {
        using var ws = new TestWorkspace();
        ws.Write("min.js", new string('a', 10_000));
        var r = await ws.Call("read_file", """{"path": "min.js"}""");
        Assert.True(r.Output.Length < 600);
        Assert.Contains("[line cut at 500 characters]", r.Output);
    }

    [Theory]
    [InlineData("""{"path": "a.txt", "start_line": 0}""", "'start_line' must be 1 or more")]
    [InlineData("""{"path": "a.txt", "start_line": 3, "end_line": 2}""", "'end_line' (2) must not be before start_line (3)")]
    [InlineData("""{"path": "a.txt", "start_line": 9}""", "start_line 9 is past the end of 'a.txt', which has 2 lines")]
    [InlineData("""{"path": "missing.txt"}""", "'missing.txt' does not exist")]
    [InlineData("""{"path": "sub"}""", "'sub' is a directory; use list_dir")]
    [InlineData("""{"path": "bin.dat"}""", "'bin.dat' is a binary file (5 bytes)")]
    [InlineData("""{"path": "../x"}""", "'../x' is outside the workspace")]
    [InlineData("""{"start_line": 1}""", "missing required field 'path'")]
    public async Task ReadFile_BadRequest_ExplainsTheProblem(string json, string expected)
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "1\n2\n");
        Directory.CreateDirectory(ws.PathOf("sub"));
        File.WriteAllBytes(ws.PathOf("bin.dat"), [0x7f, 0x45, 0x00, 0x01, 0x02]);
        var r = await ws.Call("read_file", json);
        Assert.True(r.IsError, r.Output);
        Assert.Contains(expected, r.Output);
    }

    [Fact]
    public async Task ReadFile_SymlinkOutOfWorkspace_Refused()
    {
        using var ws = new TestWorkspace();
        string secret = Path.Combine(ws.Outside, "secret.txt");
        File.WriteAllText(secret, "token\n");
        File.CreateSymbolicLink(ws.PathOf("innocent.txt"), secret);
        var r = await ws.Call("read_file", """{"path": "innocent.txt"}""");
        Assert.True(r.IsError);
        Assert.Contains("outside the workspace", r.Output);
        Assert.DoesNotContain("token", r.Output);
    }

    [Fact]
    public async Task ReadFile_SymlinkInsideWorkspace_IsFollowed()
    {
        using var ws = new TestWorkspace();
        ws.Write("real/a.txt", "hello\n");
        Directory.CreateSymbolicLink(ws.PathOf("alias"), ws.PathOf("real"));
        var r = await ws.Call("read_file", """{"path": "alias/../alias/a.txt"}""");
        Assert.Equal("L1: hello", r.Output);
    }

    [Fact]
    public async Task ListDir_ShowsEntriesSortedAndMarked()
    {
        using var ws = new TestWorkspace();
        ws.Write("b.txt", "12345");
        ws.Write("a/x.txt", "");
        File.CreateSymbolicLink(ws.PathOf("c"), "b.txt");
        var r = await ws.Call("list_dir", """{"path": "."}""");
        Assert.Equal("./ (3 entries)\n  a/\n  b.txt  (5 bytes)\n  c -> b.txt", r.Output);
        var sub = await ws.Call("list_dir", """{"path": "a"}""");
        Assert.Equal("a/ (1 entry)\n  x.txt  (0 bytes)", sub.Output);
    }

    [Theory]
    [InlineData("""{"path": "nope"}""", "'nope' does not exist")]
    [InlineData("""{"path": "f.txt"}""", "'f.txt' is a file; use read_file")]
    [InlineData("""{"path": "/"}""", "'/' is outside the workspace")]
    public async Task ListDir_BadPath_ExplainsTheProblem(string json, string expected)
    {
        using var ws = new TestWorkspace();
        ws.Write("f.txt", "x");
        var r = await ws.Call("list_dir", json);
        Assert.True(r.IsError);
        Assert.Contains(expected, r.Output);
    }
}

public class FileToolEdgeTests
{
    [Fact]
    public async Task ReadFile_EmptyFile_SaysSo()
    {
        using var ws = new TestWorkspace();
        ws.Write("e.txt", "");
        var r = await ws.Call("read_file", """{"path": "e.txt"}""");
        Assert.False(r.IsError);
        Assert.Equal("'e.txt' is empty.", r.Output);
    }

    [Fact]
    public async Task ReadFile_ManyLongLines_StopsAtCharacterLimit()
    {
        using var ws = new TestWorkspace();
        ws.Write("wide.txt", string.Concat(Enumerable.Repeat(new string('x', 400) + "\n", 1000)));
        var r = await ws.Call("read_file", """{"path": "wide.txt"}""");
        Assert.True(r.Output.Length < Spark.Agent.Tools.ReadFileTool.MaxOutputChars + 1000);
        Assert.Matches(@"\[showing lines 1-\d+ of 1000; call read_file with start_line=\d+ to read on\]$", r.Output);
    }

    [Fact]
    public async Task ListDir_ManyEntries_ListsFirstThousand()
    {
        using var ws = new TestWorkspace();
        for (int i = 0; i < 1005; i++) File.WriteAllText(ws.PathOf($"f{i:D4}"), "");
        var r = await ws.Call("list_dir", """{"path": "."}""");
        Assert.StartsWith("./ (1005 entries)", r.Output);
        Assert.EndsWith("… 5 more entries not shown", r.Output);
    }

    [Fact]
    public async Task ApplyPatch_PathIsDirectory_Refused()
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(ws.PathOf("dir"));
        var r = await ws.Call("apply_patch", $$"""{"input": {{Json.Str("*** Begin Patch\n*** Add File: dir\n+x\n*** End Patch")}}}""");
        Assert.True(r.IsError);
        Assert.Contains("dir: is a directory, not a file.", r.Output);
    }

    [Fact]
    public async Task Shell_TimeoutAsString_IsAccepted()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "echo ok", "timeout_ms": "5000"}""");
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public async Task UpdatePlan_EmptyStep_Refused()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("update_plan", """{"plan": [{"step": "  ", "status": "pending"}]}""");
        Assert.Contains("item 1 has an empty 'step'", r.Output);
    }
}
