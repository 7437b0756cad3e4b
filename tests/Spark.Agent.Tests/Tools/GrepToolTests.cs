namespace Spark.Agent.Tests.Tools;

public class GrepToolTests
{
    private static TestWorkspace Sample()
    {
        var ws = new TestWorkspace();
        ws.Write(".gitignore", "node_modules/\n*.min.js\n");
        ws.Write("src/a.cs", "class A {\n    int Foo() => 1;\n}\n");
        ws.Write("src/b.ts", "export function foo() {}\n");
        ws.Write("docs/readme.md", "Call Foo() to foo.\n");
        ws.Write("node_modules/dep/index.js", "function Foo() {}\n");
        ws.Write("app.min.js", "function Foo(){}\n");
        File.WriteAllBytes(ws.PathOf("blob.bin"), [0x46, 0x6f, 0x6f, 0x00, 0x28]);
        return ws;
    }

    [Fact]
    public async Task Grep_FindsMatchesAndHonoursGitignore()
    {
        using var ws = Sample();
        var r = await ws.Call("grep", """{"pattern": "Foo\\("}""");
        Assert.False(r.IsError, r.Output);
        Assert.Equal("docs/readme.md:1:Call Foo() to foo.\nsrc/a.cs:2:    int Foo() => 1;\n[2 matches in 4 files searched]", r.Output);
    }

    [Fact]
    public async Task Grep_GlobAndPath_NarrowTheSearch()
    {
        using var ws = Sample();
        var byGlob = await ws.Call("grep", """{"pattern": "(?i)foo", "glob": "*.{ts,md}"}""");
        Assert.Equal("docs/readme.md:1:Call Foo() to foo.\nsrc/b.ts:1:export function foo() {}\n[2 matches in 2 files searched]", byGlob.Output);
        var byPathGlob = await ws.Call("grep", """{"pattern": "(?i)foo", "glob": "src/**/*.cs"}""");
        Assert.StartsWith("src/a.cs:2:", byPathGlob.Output);
        var dotted = await ws.Call("grep", """{"pattern": "(?i)foo", "glob": "./src/*.cs"}""");
        Assert.StartsWith("src/a.cs:2:", dotted.Output);
        var byPath = await ws.Call("grep", """{"pattern": "foo", "path": "src"}""");
        Assert.Equal("src/b.ts:1:export function foo() {}\n[1 match in 2 files searched]", byPath.Output);
        var oneFile = await ws.Call("grep", """{"pattern": "Foo", "path": "node_modules/dep/index.js"}""");
        Assert.StartsWith("node_modules/dep/index.js:1:", oneFile.Output); // an explicit file is searched even if ignored
    }

    [Fact]
    public async Task Grep_NoMatch_SaysSoWithoutError()
    {
        using var ws = Sample();
        var r = await ws.Call("grep", """{"pattern": "nothing-here"}""");
        Assert.False(r.IsError);
        Assert.Equal("No matches for /nothing-here/ in the workspace (4 files searched).", r.Output);
    }

    [Fact]
    public async Task Grep_ManyMatches_StopsAtLimit()
    {
        using var ws = new TestWorkspace();
        ws.Write("many.txt", string.Concat(Enumerable.Repeat("hit\n", 500)));
        var r = await ws.Call("grep", """{"pattern": "hit"}""");
        Assert.Equal(200, r.Output.Split('\n').Count(l => l.StartsWith("many.txt:", StringComparison.Ordinal)));
        Assert.EndsWith("[stopped after 200 matches; narrow the pattern, path or glob to see the rest]", r.Output);
    }

    [Theory]
    [InlineData("""{"pattern": "("}""", "invalid regular expression /(/")]
    [InlineData("""{"pattern": "x", "path": "nope"}""", "'nope' does not exist")]
    [InlineData("""{"pattern": "x", "path": ".."}""", "outside the workspace")]
    [InlineData("""{"pattern": ""}""", "'pattern' is empty")]
    [InlineData("""{"path": "."}""", "missing required field 'pattern'")]
    public async Task Grep_BadRequest_ExplainsTheProblem(string json, string expected)
    {
        using var ws = Sample();
        var r = await ws.Call("grep", json);
        Assert.True(r.IsError);
        Assert.Contains(expected, r.Output);
    }
}

public class GrepToolLimitTests
{
    [Fact]
    public async Task Grep_CatastrophicBacktracking_StopsWithAdvice()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "ok\n" + new string('a', 5000) + "!\n");
        var tool = new Spark.Agent.Tools.GrepTool(ws.Workspace, TimeSpan.FromMilliseconds(50));
        var r = await Spark.Agent.Tools.ToolInvocation.InvokeJsonAsync(tool, """{"pattern": "^(a|aa)+$"}""", CancellationToken.None);
        Assert.True(r.IsError);
        Assert.Contains("took too long on a.txt:2 (catastrophic backtracking); simplify it", r.Output);
    }

    [Fact]
    public async Task Grep_HugeFile_SkippedAndCounted()
    {
        using var ws = new TestWorkspace();
        using (var f = File.Create(ws.PathOf("huge.log"))) f.SetLength(Spark.Agent.Tools.GrepTool.MaxFileBytes + 1);
        ws.Write("small.txt", "needle\n");
        var r = await ws.Call("grep", """{"pattern": "needle"}""");
        Assert.Equal("small.txt:1:needle\n[1 match in 1 file searched; 1 file over 4 MiB skipped]", r.Output);
    }
}

public class GrepCancellationTests
{
    [Fact]
    public async Task Grep_Cancelled_ReportsInterrupted()
    {
        using var ws = new TestWorkspace();
        ws.Write("a.txt", "x\n");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = await ws.Call("grep", """{"pattern": "x"}""", cts.Token);
        Assert.True(r.Interrupted);
        Assert.Equal("grep: interrupted by the user.", r.Output);
    }
}
