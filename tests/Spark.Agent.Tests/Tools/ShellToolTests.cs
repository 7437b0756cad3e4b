using System.Diagnostics;
using Spark.Agent.Policy;

namespace Spark.Agent.Tests.Tools;

public class ShellToolTests
{
    [Fact]
    public async Task Shell_Echo_CapturesStdoutStderrAndExitCode()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "echo out; echo err >&2; exit 3"}""");
        Assert.Equal(3, r.ExitCode);
        Assert.True(r.IsError);
        Assert.Contains("Exit code: 3", r.Output);
        Assert.Contains("out", r.Output);
        Assert.Contains("err", r.Output);
    }

    [Fact]
    public async Task Shell_RunsInWorkspaceOrWorkdir()
    {
        using var ws = new TestWorkspace();
        Directory.CreateDirectory(ws.PathOf("sub"));
        var root = await ws.Call("shell", """{"command": "pwd"}""");
        Assert.Equal(0, root.ExitCode);
        Assert.Contains(ws.Root + "\n", root.Output);
        var sub = await ws.Call("shell", """{"command": "pwd", "workdir": "sub"}""");
        Assert.Contains(Path.Combine(ws.Root, "sub") + "\n", sub.Output);
    }

    [Fact]
    public async Task Shell_WorkdirOutsideWorkspace_IsRefused()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "pwd", "workdir": "../.."}""");
        Assert.True(r.IsError);
        Assert.Contains("outside the workspace", r.Output);
    }

    [Fact]
    public async Task Shell_MissingWorkdir_SaysSo()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "pwd", "workdir": "nope"}""");
        Assert.True(r.IsError);
        Assert.Contains("'nope' does not exist", r.Output);
    }

    [Fact]
    public async Task Shell_HugeOutput_KeepsHeadAndTailWithMarker()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "echo FIRST; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST"}""");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("FIRST", r.Output);
        Assert.Contains("LAST", r.Output);
        Assert.Contains("bytes omitted of 5,000,012", r.Output);
        Assert.True(r.Output.Length < 20_000, $"output is {r.Output.Length} chars");
    }

    [Fact]
    public async Task Shell_Timeout_KillsProcessGroupIncludingBackgroundChild()
    {
        using var ws = new TestWorkspace();
        var clock = Stopwatch.StartNew();
        var r = await ws.Call("shell", """{"command": "sleep 30 & echo $! > child.pid; echo started; sleep 30", "timeout_ms": 300}""");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(r.TimedOut);
        Assert.True(r.IsError);
        Assert.Null(r.ExitCode);
        Assert.Contains("timed out after 0.3 s", r.Output);
        Assert.Contains("started", r.Output);
        AssertProcessGone(int.Parse(ws.Read("child.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Shell_Cancellation_KillsProcessGroupAndReportsInterrupted()
    {
        using var ws = new TestWorkspace();
        using var cts = new CancellationTokenSource();
        var call = ws.Call("shell", """{"command": "(sleep 30; echo) & echo $! > child.pid; sleep 30"}""", cts.Token);
        await WaitForFileAsync(ws.PathOf("child.pid"));
        cts.Cancel();
        var r = await call.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(r.Interrupted);
        Assert.Contains("interrupted by the user", r.Output);
        AssertProcessGone(int.Parse(ws.Read("child.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Shell_CancelledTheInstantItStarts_StillEndsAtOnce()
    {
        // A cancel at any instant of the start (before, during and just after the spawn) must interrupt, never run on.
        using var ws = new TestWorkspace();
        for (int delayMs = 0; delayMs < 20; delayMs++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(delayMs));
            var r = await ws.Call("shell", """{"command": "sleep 30"}""", cts.Token).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(r.Interrupted, $"cancelled after {delayMs} ms: {r.Output}");
        }
    }

    [Fact]
    public async Task Shell_CancelledBeforeItStarts_NeverRunsTheCommand()
    {
        // The token is cancelled before the call (Esc just before the tool began): starting the command anyway let it
        // run at least its first steps (and, before the kill was hardened, all 30 s of it).
        using var ws = new TestWorkspace();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = await ws.Call("shell", """{"command": "touch ran; sleep 30"}""", cts.Token).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(r.Interrupted);
        Assert.True(r.IsError);
        Assert.Contains("not run", r.Output);
        await Task.Delay(200); // a command started anyway would have touched the file by now
        Assert.False(File.Exists(ws.PathOf("ran")));
    }

    [Fact]
    public async Task Shell_BackgroundChildLeftAfterExit_IsKilled()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "sleep 30 & echo $! > child.pid; echo done"}""");
        Assert.Equal(0, r.ExitCode);
        AssertProcessGone(int.Parse(ws.Read("child.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Shell_StdinIsClosed_SoReadersDoNotHang()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": "cat; echo after", "timeout_ms": 5000}""");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("after", r.Output);
    }

    [Theory]
    [InlineData("""{}""", "missing required field 'command'")]
    [InlineData("""{"command": 5}""", "'command' must be a string")]
    [InlineData("""{"command": "ls", "timeout_ms": -1}""", "'timeout_ms' must be a positive number")]
    [InlineData("""{"command": "ls", "timeout_ms": "soon"}""", "'timeout_ms' must be an integer")]
    [InlineData("""{"command": "   "}""", "'command' is empty")]
    [InlineData("""not json""", "not valid JSON")]
    public async Task Shell_BadArguments_ExplainTheProblem(string json, string expected)
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", json);
        Assert.True(r.IsError);
        Assert.Contains(expected, r.Output);
    }

    [Fact]
    public async Task Shell_ArgvArrayFromOlderCodexModels_IsAccepted()
    {
        using var ws = new TestWorkspace();
        var r = await ws.Call("shell", """{"command": ["bash", "-lc", "echo hi there"]}""");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("hi there", r.Output);
        var r2 = await ws.Call("shell", """{"command": ["echo", "a b", "it's"]}""");
        Assert.Contains("a b it's", r2.Output);
    }

    [BwrapFact]
    public async Task Shell_WorkspaceWriteSandbox_WritesWorkspaceButNotOutside()
    {
        using var ws = new TestWorkspace(SandboxMode.WorkspaceWrite, useBwrap: true);
        string outside = Path.Combine(ws.Outside, "x");
        var r = await ws.Call("shell", $$"""{"command": {{Json.Str($"echo in > inside.txt && touch /usr/spark-sandbox-probe; echo out > '{outside}'")}} }""");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/usr/spark-sandbox-probe': Read-only file system", r.Output);
        Assert.False(File.Exists("/usr/spark-sandbox-probe"));
        Assert.Equal("in\n", ws.Read("inside.txt"));
        Assert.False(File.Exists(outside)); // /tmp is private inside the sandbox: nothing reaches the host's
    }

    [BwrapFact]
    public async Task Shell_ReadOnlySandbox_CannotWriteWorkspace()
    {
        using var ws = new TestWorkspace(SandboxMode.ReadOnly, useBwrap: true);
        ws.Write("a.txt", "data\n");
        var r = await ws.Call("shell", """{"command": "cat a.txt && echo x > b.txt"}""");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("data", r.Output);
        Assert.Contains("Read-only file system", r.Output);
        Assert.False(File.Exists(ws.PathOf("b.txt")));
    }

    [BwrapFact]
    public async Task Shell_SandboxedTimeout_KillsBackgroundChild()
    {
        // Inside bwrap's pid namespace a pid file would name the wrong process, so the background child proves it is
        // alive by rewriting a file; once the call returns, the file must stop changing.
        using var ws = new TestWorkspace(SandboxMode.WorkspaceWrite, useBwrap: true);
        var r = await ws.Call("shell", """{"command": "(while true; do date +%s%N > tick; sleep 0.02; done) & sleep 30", "timeout_ms": 300}""");
        Assert.True(r.TimedOut, r.Output);
        string before = File.Exists(ws.PathOf("tick")) ? ws.Read("tick") : "";
        await Task.Delay(400);
        string after = File.Exists(ws.PathOf("tick")) ? ws.Read("tick") : "";
        Assert.Equal(before, after);
    }

    internal static void AssertProcessGone(int pid)
    {
        // A killed child may linger a moment as a zombie until init reaps it; a zombie is not running.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < deadline)
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat)) return;
            try
            {
                string text = File.ReadAllText(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z')) return;
            }
            catch (IOException) { return; }
            Thread.Sleep(20);
        }
        Assert.Fail($"process {pid} is still running");
    }

    private static async Task WaitForFileAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{path} never appeared");
            await Task.Delay(10);
        }
    }
}
