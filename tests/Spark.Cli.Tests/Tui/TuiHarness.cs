using System.Text;
using System.Threading.Channels;
using Spark.Agent.Client;
using Spark.Agent.Policy;
using Spark.Cli.AgentHost;
using Spark.Cli.Tui;
using Spark.Testing;

namespace Spark.Cli.Tests.Tui;

/// <summary>Keys a test types, as the terminal would deliver them.</summary>
internal sealed class ScriptedKeySource(bool interactive = true) : IKeySource
{
    private readonly Channel<ConsoleKeyInfo> _keys = Channel.CreateUnbounded<ConsoleKeyInfo>();

    public ChannelReader<ConsoleKeyInfo> Keys => _keys.Reader;

    public bool IsInteractive => interactive;

    public void Type(string text)
    {
        foreach (char c in text) _keys.Writer.TryWrite(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false));
    }

    public void Enter(string text)
    {
        Type(text);
        Press(ConsoleKey.Enter, '\r');
    }

    public void Press(ConsoleKey key, char keyChar = '\0', bool control = false) =>
        _keys.Writer.TryWrite(new ConsoleKeyInfo(keyChar, key, false, false, control));

    public void Escape() => Press(ConsoleKey.Escape, '\u001b');

    public void CtrlC() => Press(ConsoleKey.C, '\u0003', control: true);

    public void End() => _keys.Writer.TryComplete();
}

/// <summary>
/// The interactive agent wired to a scripted Responses server, a temporary workspace and SPARK_HOME, scripted keys and
/// a screen written to memory (plain: no escape codes); the controller runs in the background.
/// </summary>
internal sealed class TuiHarness : IAsyncDisposable
{
    private readonly StringBuilder _text;
    private readonly TextWriter _output;
    private readonly Task _run;

    private TuiHarness(ScriptedResponsesServer server, TempDirectory dir, AgentRuntime runtime, ScriptedKeySource keys, TextWriter output, StringBuilder text, TuiController controller)
    {
        _text = text;
        Server = server;
        Dir = dir;
        Runtime = runtime;
        Keys = keys;
        _output = output;
        Controller = controller;
        _run = controller.RunAsync(CancellationToken.None);
    }

    public ScriptedResponsesServer Server { get; }
    public TempDirectory Dir { get; }
    public AgentRuntime Runtime { get; }
    public ScriptedKeySource Keys { get; }
    public TuiController Controller { get; }
    public string Workspace => Runtime.Workspace.Root;
    public Task Completion => _run;

    public static async Task<TuiHarness> StartAsync(ScriptedResponsesServer server, ApprovalMode approval = ApprovalMode.Never,
        SandboxMode sandbox = SandboxMode.DangerFullAccess, bool interactive = true, Action<string>? prepareWorkspace = null,
        TempDirectory? dir = null, string? resume = null, (string Text, Action<TuiController> Then)? onScreen = null, bool modelFromFlag = false)
    {
        dir ??= new TempDirectory();
        string workspace = Path.Join(dir.Path, "ws");
        Directory.CreateDirectory(workspace);
        prepareWorkspace?.Invoke(workspace);
        var settings = new AgentSettings
        {
            BaseUrl = server.BaseUrl.ToString(),
            Model = "scripted",
            Transport = ClientTransport.Auto,
            Approval = approval,
            Sandbox = sandbox,
            Cd = workspace,
            Home = Path.Join(dir.Path, "home"),
            Resume = resume,
            ModelFromFlag = modelFromFlag,
        };
        var text = new StringBuilder();
        TuiController? controller = null;
        var hooked = new HookedWriter(text, onScreen is { } hook ? (hook.Text, () => hook.Then(controller!)) : null);
        var output = TextWriter.Synchronized(hooked);
        var screen = new TerminalScreen(output, isTerminal: false, () => 1000);
        var runtime = await AgentRuntime.StartAsync(settings, (c, a, ct) => controller!.AskApprovalAsync(c, a, ct), _ => { }, CancellationToken.None);
        var keys = new ScriptedKeySource(interactive);
        controller = new TuiController(runtime, screen, keys);
        return new TuiHarness(server, dir, runtime, keys, output, text, controller);
    }

    /// <summary>Everything shown so far.</summary>
    public string Screen
    {
        get
        {
            lock (_output) return _text.ToString(); // SyncTextWriter writes under a lock on itself
        }
    }

    /// <summary>Waits until the screen shows <paramref name="text"/> (at least <paramref name="times"/> times).</summary>
    public async Task WaitForAsync(string text, int times = 1, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count(Screen, text) < times)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the screen never showed '{text}' ({times}x); it shows:\n{Screen}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until no turn runs.</summary>
    public async Task WaitIdleAsync(int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Controller.IsTurnRunning)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the turn never ended; the screen shows:\n{Screen}");
            await Task.Delay(20);
        }
    }

    public static int Count(string haystack, string needle)
    {
        int n = 0;
        for (int at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + needle.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    public async ValueTask DisposeAsync()
    {
        Keys.CtrlC();
        Keys.CtrlC();
        Keys.End();
        await _run.WaitAsync(TimeSpan.FromSeconds(30));
        await Runtime.DisposeAsync();
        await Server.DisposeAsync();
        Dir.Dispose();
    }
}

/// <summary>
/// The harness's screen buffer. With a hook, the moment <c>Text</c> first appears on the screen the hook runs — on the
/// thread that wrote it, before that write returns — so a test can act at an exact instant of the agent's work (e.g.
/// press Esc after a call is shown and before its tool starts).
/// </summary>
internal sealed class HookedWriter(StringBuilder text, (string Text, Action Then)? hook) : StringWriter(text)
{
    private bool _fired;

    public override void Write(char value)
    {
        base.Write(value);
        Check();
    }

    public override void Write(string? value)
    {
        base.Write(value);
        Check();
    }

    public override void Write(char[] buffer, int index, int count)
    {
        base.Write(buffer, index, count);
        Check();
    }

    private void Check()
    {
        if (_fired || hook is not { } h || !GetStringBuilder().ToString().Contains(h.Text, StringComparison.Ordinal)) return;
        _fired = true;
        h.Then();
    }
}
