using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Cli.AgentHost;
using Spectre.Console;

namespace Spark.Cli.Tui;

/// <summary>
/// The interactive agent: turns keys into prompts, steering, interrupts and slash commands, and agent events into
/// what <see cref="TerminalScreen"/> shows. Enter on a line starts a turn, or — while a turn runs — steers that turn
/// (never a new one); Esc interrupts the turn; Ctrl-C twice (or Ctrl-D on an empty line, or /quit) exits.
/// Keys are handled on one task; the turn runs on another and reports through the events.
/// </summary>
internal sealed class TuiController
{
    private static readonly TimeSpan CtrlCWindow = TimeSpan.FromSeconds(2);

    private readonly AgentRuntime _runtime;
    private readonly TerminalScreen _screen;
    private readonly IKeySource _keys;
    private readonly TimeProvider _clock;
    private readonly InputLine _input = new();
    private readonly StatusLine _status = new();
    private readonly SlashCommands _commands;
    private readonly Lock _gate = new();
    private Task? _turn;
    private CancellationTokenSource? _turnCancel;
    private PendingApproval? _approval; // the approval question waiting for its one-key answer
    private TaskCompletionSource _approvalAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _approvalChoices;
    private DateTimeOffset _lastCtrlC = DateTimeOffset.MinValue;
    private bool _quit;
    private bool _skipRestOfLine; // piped input: the rest of a line that answered an approval question ("yes") is not input

    public TuiController(AgentRuntime runtime, TerminalScreen screen, IKeySource keys, TimeProvider? clock = null)
    {
        _runtime = runtime;
        _screen = screen;
        _keys = keys;
        _clock = clock ?? TimeProvider.System;
        _commands = new SlashCommands(runtime, screen, _status, () => Quit());
    }

    /// <summary>True while a turn runs.</summary>
    public bool IsTurnRunning
    {
        get { lock (_gate) return _turn is not null; }
    }

    /// <summary>Runs until the user quits or the input ends (piped input: after its last turn).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Welcome();
        UpdateStatus();
        DrawInput();
        var reader = _keys.Keys;
        while (!_quit)
        {
            if (!_keys.IsInteractive && CurrentTurn() is { } running)
            {
                // piped input: the next line waits for this turn, except to answer its approval questions
                Task asked;
                lock (_gate) asked = _approvalAsked.Task;
                await Task.WhenAny(running, asked).ConfigureAwait(false);
                if (running.IsCompleted) continue;
            }
            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) break;
            while (!_quit && reader.TryRead(out var key))
            {
                await HandleKeyAsync(key).ConfigureAwait(false);
                if (!_keys.IsInteractive && CurrentTurn() is not null) break;
            }
        }
        if (CurrentTurn() is { } last)
        {
            if (_quit) InterruptTurn();
            try
            {
                await last.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // reported by the turn itself
            }
        }
        _screen.Close();
    }

    /// <summary>Handles one key (public for tests that drive the controller key by key).</summary>
    public async Task HandleKeyAsync(ConsoleKeyInfo key)
    {
        bool ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
        if (key.KeyChar == '\u0003' || (ctrl && key.Key == ConsoleKey.C))
        {
            OnCtrlC();
            return;
        }
        if (_skipRestOfLine)
        {
            _skipRestOfLine = !(key.Key == ConsoleKey.Enter || key.KeyChar is '\r' or '\n');
            return;
        }
        PendingApproval? approval;
        lock (_gate) approval = _approval;
        if (approval is not null)
        {
            Answer(approval, key);
            return;
        }
        if (IsEscape(key))
        {
            if (IsTurnRunning) InterruptTurn();
            else
                lock (_gate) _input.Clear();
            DrawInput();
            return;
        }
        bool empty;
        lock (_gate) empty = _input.IsEmpty;
        if (key.KeyChar == '\u0004' && empty)
        {
            Quit();
            return;
        }
        if (key.Key == ConsoleKey.Enter || key.KeyChar is '\r' or '\n')
        {
            string text;
            lock (_gate) text = _input.Take().Trim();
            DrawInput();
            if (text.Length > 0) await SubmitAsync(text).ConfigureAwait(false);
            return;
        }
        bool edited;
        lock (_gate) edited = _input.Edit(key);
        if (edited) DrawInput();
    }

    private async Task SubmitAsync(string text)
    {
        if (text.StartsWith('/'))
        {
            if (IsTurnRunning && !SlashCommands.AllowedWhileRunning(text))
            {
                _screen.WriteLine($"[yellow]{Markup.Escape(text.Split(' ')[0])} was not run: it cannot run during a turn[/] [grey](enter it again when the turn ends, or press Esc to interrupt; typing without / steers it)[/]");
                return;
            }
            await _commands.RunAsync(text).ConfigureAwait(false);
            UpdateStatus();
            return;
        }
        if (IsTurnRunning) Steer(text);
        else StartTurn(text);
    }

    private void StartTurn(string prompt)
    {
        _screen.WriteLines(["", $"[bold green]›[/] {Markup.Escape(prompt)}"]);
        var cancel = new CancellationTokenSource();
        var loop = _runtime.Loop;
        lock (_gate)
        {
            _turnCancel = cancel;
            _status.Activity = "working · Esc interrupts";
            _turn = RunTurnAsync(loop, prompt, cancel);
        }
        UpdateStatus();
    }

    private async Task RunTurnAsync(AgentLoop loop, string prompt, CancellationTokenSource cancel)
    {
        await Task.Yield(); // the key loop goes on at once
        try
        {
            await loop.RunTurnAsync(prompt, OnEvent, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // TurnAborted was shown
        }
        catch (Exception e) when (e is ResponsesApiException or AgentException)
        {
            _screen.EndText();
            _screen.WriteLine($"[red]error:[/] {Markup.Escape(e.Message)}");
        }
        finally
        {
            lock (_gate)
            {
                _turn = null;
                _turnCancel = null;
                _status.Activity = null;
            }
            cancel.Dispose();
            UpdateStatus();
            DrawInput();
        }
    }

    private void Steer(string text)
    {
        _screen.WriteLine($"[yellow]↳ steer queued:[/] {Markup.Escape(text)}");
        var loop = _runtime.Loop;
        _ = Task.Run(async () =>
        {
            string? why = await loop.SteerAsync(text, CancellationToken.None).ConfigureAwait(false);
            if (why is null) return;
            if (!loop.IsTurnRunning) TooLate(text);
            else _screen.WriteLine($"[red]↳ steer not sent:[/] {Markup.Escape(why)}");
        });
    }

    private void TooLate(string text)
    {
        _screen.EndText();
        _screen.WriteLine($"[red]↳ steer too late:[/] the turn had already ended, so \"{Markup.Escape(Short(text))}\" was not sent " +
                          "[grey](it is back in the input line: Enter sends it as a new message)[/]");
        lock (_gate)
        {
            if (_input.IsEmpty) _input.Insert(text);
        }
        DrawInput();
    }

    private void InterruptTurn()
    {
        CancellationTokenSource? cancel;
        lock (_gate)
        {
            cancel = _turnCancel;
            if (cancel is null) return;
            _status.Activity = "interrupting";
        }
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the turn ended meanwhile
        }
        UpdateStatus();
    }

    private void OnCtrlC()
    {
        var now = _clock.GetUtcNow();
        if (now - _lastCtrlC <= CtrlCWindow)
        {
            Quit();
            return;
        }
        _lastCtrlC = now;
        PendingApproval? approval;
        lock (_gate) approval = _approval;
        if (approval is not null) DenyAndInterrupt(approval);
        else if (IsTurnRunning) InterruptTurn();
        lock (_gate) _input.Clear();
        _screen.WriteLine("[grey]Press Ctrl-C again to quit.[/]");
        DrawInput();
    }

    private void Quit()
    {
        _quit = true;
        InterruptTurn();
    }

    private Task? CurrentTurn()
    {
        lock (_gate) return _turn;
    }

    /// <summary>
    /// Asks the user about a tool call the policy wants approved; the answer is one key: y (once), s (this session),
    /// p (this project), n (deny: the model is told and goes on), Esc (deny and interrupt the turn, as Esc always
    /// does). Session and project answers are remembered by the policy.
    /// </summary>
    public async Task<bool> AskApprovalAsync(ToolCall call, ApprovalDecision.AskUser ask, CancellationToken cancellationToken)
    {
        _screen.EndText();
        var choices = new List<string> { "y once" };
        if (ask.Scopes.Contains(ApprovalScope.Session)) choices.Add("s this session");
        if (ask.Scopes.Contains(ApprovalScope.Project)) choices.Add("p this project");
        choices.Add("n deny");
        string choiceText = string.Join(" · ", choices.Select(c => $"[{c[0]}]{c[1..]}")) + " · Esc interrupt";
        _screen.WriteLines([
            $"[bold yellow]? approve[/] [bold]{Markup.Escape(call.Name)}[/]  {Markup.Escape(ToolCallView.Summary(call.Name, call.ArgumentsJson))}",
            $"  [grey]{Markup.Escape(ask.Reason)}[/]",
            $"  [yellow]{Markup.Escape(choiceText)}[/]",
        ]);
        var pending = new PendingApproval(ask);
        lock (_gate)
        {
            _approval = pending;
            _approvalChoices = "approve? " + choiceText;
            _status.Activity = "waiting for your approval";
            _approvalAsked.TrySetResult();
        }
        UpdateStatus();
        DrawInput();
        try
        {
            if (await pending.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false) is not { } scope)
            {
                _screen.WriteLine("  [red]✗ denied[/] [grey](the model is told)[/]");
                return false;
            }
            Remember(ask, scope);
            return true;
        }
        finally
        {
            if (Close(pending))
            {
                UpdateStatus();
                DrawInput();
            }
        }
    }

    /// <summary>
    /// One key while an approval question waits. The answer is taken here, on the key task, and the question is closed
    /// at once, so the next key (an Esc typed right after "y") is the controller's again instead of being swallowed by
    /// a question that is already answered.
    /// </summary>
    private void Answer(PendingApproval approval, ConsoleKeyInfo key)
    {
        if (IsEscape(key))
        {
            DenyAndInterrupt(approval);
            return;
        }
        char c = char.ToLowerInvariant(key.KeyChar);
        ApprovalScope? scope = c switch
        {
            'y' or 'o' => ApprovalScope.Once,
            's' when approval.Ask.Scopes.Contains(ApprovalScope.Session) => ApprovalScope.Session,
            'p' when approval.Ask.Scopes.Contains(ApprovalScope.Project) => ApprovalScope.Project,
            _ => null,
        };
        if (scope is null && c is not ('n' or 'd')) return; // not one of the answers: the question stays
        if (!Close(approval)) return;
        _skipRestOfLine = !_keys.IsInteractive; // a piped line answers one question: "yes" must not answer the next with its "s"
        approval.Answer.TrySetResult(scope);
        UpdateStatus();
        DrawInput();
    }

    /// <summary>Esc or Ctrl-C at an approval question: the call is denied and the turn interrupted (before the answer
    /// reaches the turn, so the loop sees the interrupt and records the call as not run).</summary>
    private void DenyAndInterrupt(PendingApproval approval)
    {
        if (!Close(approval)) return;
        InterruptTurn();
        approval.Answer.TrySetResult(null);
        DrawInput();
    }

    /// <summary>Takes the question down; false when it was already answered.</summary>
    private bool Close(PendingApproval approval)
    {
        lock (_gate)
        {
            if (_approval != approval) return false;
            _approval = null;
            _approvalChoices = null;
            _approvalAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_turn is not null) _status.Activity = "working · Esc interrupts";
            return true;
        }
    }

    private sealed class PendingApproval(ApprovalDecision.AskUser ask)
    {
        public ApprovalDecision.AskUser Ask { get; } = ask;
        public TaskCompletionSource<ApprovalScope?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static bool IsEscape(ConsoleKeyInfo key) => key.Key == ConsoleKey.Escape || key.KeyChar == '\u001b';

    private void Remember(ApprovalDecision.AskUser ask, ApprovalScope scope)
    {
        if (scope == ApprovalScope.Once)
        {
            _screen.WriteLine("  [green]✓ approved once[/]");
            return;
        }
        try
        {
            _runtime.Policy.Approve(ask, scope);
            string rules = string.Join("; ", ask.SuggestedRules);
            _screen.WriteLine($"  [green]✓ approved for {(scope == ApprovalScope.Session ? "this session" : "this project")}[/] [grey]({Markup.Escape(rules)})[/]");
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            _screen.WriteLine($"  [yellow]✓ approved once[/] [grey](could not remember it: {Markup.Escape(e.Message)})[/]");
        }
    }

    private void OnEvent(AgentEvent e)
    {
        switch (e)
        {
            case TextDelta d:
                _screen.StreamText(d.Delta);
                break;
            case ToolCallRequested call:
                _screen.EndText();
                _screen.WriteLine(ToolCallView.Header(call));
                break;
            case ToolCallFinished done:
                _screen.WriteLines(ToolCallView.Result(done));
                break;
            case AgentNotice notice:
                _screen.EndText();
                _screen.WriteLine($"[yellow]note:[/] {Markup.Escape(notice.Message)}");
                break;
            case SteerUpdated { Update: var update }:
                OnSteer(update);
                break;
            case SteerInjected injected:
                _screen.EndText();
                _screen.WriteLine($"[green]↳ steer applied:[/] {Markup.Escape(Short(injected.Text))} [grey](sent with the next model request)[/]");
                break;
            case SteerTooLate late:
                TooLate(late.Text);
                break;
            case ModelRequestCompleted request:
                lock (_gate)
                {
                    _status.ContextUsed = request.InputTokens + request.OutputTokens;
                    if (request.TokensPerSecond is { } tps) _status.TokensPerSecond = tps;
                }
                UpdateStatus();
                break;
            case TurnAborted aborted:
                _screen.EndText();
                _screen.WriteLine("[red]■ interrupted[/] [grey]— " + (aborted.PartialText.Length > 0 ? "the partial answer above is kept; " : "") +
                                  "the model will be told the turn was aborted[/]");
                break;
            case TurnCompleted done:
                _screen.EndText();
                var t = done.Timing;
                _screen.WriteLine(
                    $"[grey]─ {t.Total.TotalSeconds:0.0}s (prefill {t.Prefill.TotalSeconds:0.0}s · generation {t.Generation.TotalSeconds:0.0}s · " +
                    $"tools {t.Tools.TotalSeconds:0.0}s · overhead {t.Overhead.TotalSeconds:0.0}s) · {done.ModelRequests} request(s) · " +
                    $"{done.ToolCalls} tool call(s) · {done.Usage.OutputTokens} tokens out[/]" +
                    (done.Incomplete is { } why ? $" [yellow]answer cut short: {Markup.Escape(why)}[/]" : ""));
                break;
        }
    }

    private void OnSteer(SteerUpdate update)
    {
        switch (update)
        {
            case SteerAccepted:
                _screen.WriteLine("[yellow]↳ steer accepted:[/] [grey]the answer stops and continues with it[/]");
                break;
            case ResponseSteered:
                _screen.EndText();
                _screen.WriteLine("[green]↳ steer applied[/]");
                break;
            case SteerPending:
                _screen.WriteLine("[green]↳ steer applied[/] [grey](sent with the tool results)[/]");
                break;
            case SteerFailed { Code: "response_already_completed" } failed:
                _screen.WriteLine($"[red]↳ steer too late:[/] {Markup.Escape(failed.Message)} [grey](not sent as a new turn; send it again as a new message)[/]");
                break;
            case SteerFailed failed:
                _screen.WriteLine($"[red]↳ steer failed ({Markup.Escape(failed.Code)}):[/] {Markup.Escape(failed.Message)}");
                break;
        }
    }

    private void Welcome()
    {
        var r = _runtime;
        var lines = new List<string>
        {
            $"[bold]spark[/] [grey]·[/] {Markup.Escape(r.Client.Model)} [grey]·[/] {Markup.Escape(r.BaseUri.ToString())} [grey]({r.Client.TransportName})[/]",
            $"[grey]workspace {Markup.Escape(r.Workspace.Root)} · approval {ApprovalModes.Name(r.Policy.Mode)} · sandbox {Markup.Escape(SlashCommands.SandboxText(r.Policy.Sandbox))} · session {r.Session.Id}[/]",
        };
        if (r.AgentsMdFiles.Count > 0)
            lines.Add($"[grey]instructions include {Markup.Escape(string.Join(", ", r.AgentsMdFiles))}[/]");
        if (r.Resumed is { } resumed)
            lines.AddRange(Exec.SessionSummary.Lines(resumed).Select(l => $"[grey]{Markup.Escape(l)}[/]"));
        lines.Add("[grey]Type a task and press Enter. While the agent works, typing steers it; Esc interrupts; /help lists commands; Ctrl-C twice quits.[/]");
        foreach (string notice in r.Notices) lines.Add($"[yellow]note:[/] {Markup.Escape(notice)}");
        r.Notices.Clear();
        _screen.WriteLines(lines);
    }

    private void UpdateStatus()
    {
        List<LiveSpan> spans;
        lock (_gate)
        {
            _status.Model = _runtime.Client.Model;
            _status.Transport = _runtime.Client.TransportName;
            _status.ContextWindow = _runtime.ContextWindow;
            spans = [.. _status.Spans()];
        }
        _screen.SetStatus(spans);
    }

    private void DrawInput()
    {
        string? choices;
        string text;
        int cursor;
        lock (_gate)
        {
            choices = _approvalChoices;
            text = _input.Text;
            cursor = _input.Cursor;
        }
        if (choices is not null)
        {
            _screen.SetInput([new LiveSpan(choices, "bold yellow"), new LiveSpan(" ")]);
            return;
        }
        const string Prompt = "› ", SteerPrompt = "↳ ";
        _screen.SetInput([new LiveSpan(IsTurnRunning ? SteerPrompt : Prompt, "bold green"), new LiveSpan(text)], Prompt.Length + cursor);
    }

    private static string Short(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
