using System.Diagnostics;
using Spark.Agent.Policy;
using Spark.Agent.Sessions;
using Spark.Cli.AgentHost;
using Spectre.Console;

namespace Spark.Cli.Tui;

/// <summary>
/// The interactive agent's commands: <c>/model spark|full|NAME</c>, <c>/new</c>, <c>/resume [N|ID]</c>, <c>/diff</c>,
/// <c>/approvals</c>, <c>/help</c>, <c>/quit</c>. Each prints what it did; a mistyped one says what exists.
/// </summary>
internal sealed class SlashCommands(AgentRuntime runtime, TerminalScreen screen, StatusLine status, Action quit)
{
    private const int ResumeListLength = 10;
    private IReadOnlyList<SessionInfo> _listed = [];

    /// <summary>The commands that make sense while a turn runs (the rest change the conversation under it).</summary>
    public static bool AllowedWhileRunning(string line) => Name(line) is "/help" or "/quit" or "/exit" or "/approvals" or "/diff";

    private static string Name(string line) => line.Split(' ', 2, StringSplitOptions.TrimEntries)[0].ToLowerInvariant();

    public async Task RunAsync(string line)
    {
        string[] parts = line.Split(' ', 2, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string argument = parts.Length > 1 ? parts[1] : "";
        switch (Name(line))
        {
            case "/help":
                Help();
                break;
            case "/quit" or "/exit":
                quit();
                break;
            case "/model":
                SwitchModel(argument);
                break;
            case "/new":
                await runtime.StartConversationAsync(null, runtime.Client.Model, CancellationToken.None).ConfigureAwait(false);
                status.ContextUsed = null;
                status.TokensPerSecond = null;
                screen.WriteLines(["", $"[bold]new conversation[/] [grey]· session {runtime.Session.Id} · the previous one is saved (/resume lists it)[/]"]);
                break;
            case "/resume":
                await ResumeAsync(argument).ConfigureAwait(false);
                break;
            case "/diff":
                await DiffAsync().ConfigureAwait(false);
                break;
            case "/approvals":
                Approvals();
                break;
            default:
                screen.WriteLine($"[red]unknown command {Markup.Escape(Name(line))}[/] [grey]— /help lists the commands[/]");
                break;
        }
    }

    private void Help() => screen.WriteLines([
        "[bold]commands[/]",
        "  [bold]/model[/] spark|full|NAME  switch the model, keeping the conversation (the new model starts with a cold cache)",
        "  [bold]/new[/]                    start a new conversation (this one stays saved)",
        "  [bold]/resume[/] [[N|ID]]          list recent sessions, or continue one of them",
        "  [bold]/diff[/]                   the workspace's uncommitted changes (git diff)",
        "  [bold]/approvals[/]              the approval rules in force and where each came from",
        "  [bold]/quit[/]                   leave (also Ctrl-C twice, or Ctrl-D on an empty line)",
        "[grey]While the agent works: typing + Enter steers the running turn; Esc interrupts it (running commands are killed).[/]",
        "[grey]Editing: Left/Right, Home/End (Ctrl-A/Ctrl-E), Backspace/Delete at the cursor; Up/Down recall this session's lines.[/]",
    ]);

    private void SwitchModel(string name)
    {
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            screen.WriteLine($"[red]/model needs one model name[/] [grey]— /model spark, /model full, or /model NAME (now: {Markup.Escape(runtime.Client.Model)})[/]");
            return;
        }
        string before = runtime.Client.Model;
        if (!runtime.SwitchModel(name))
        {
            screen.WriteLine($"[grey]already using {Markup.Escape(name)}[/]");
            return;
        }
        status.TokensPerSecond = null;
        screen.WriteLines([
            $"[bold]model[/] {Markup.Escape(before)} → [bold]{Markup.Escape(name)}[/] [grey](the conversation is kept: {runtime.Client.History.Count} items)[/]",
            "[yellow]warning:[/] the cache is cold — " + Markup.Escape(name) + " has none of this conversation cached, so the next request sends the whole history and it is prefilled from scratch.",
        ]);
    }

    private async Task ResumeAsync(string argument)
    {
        if (argument.Length == 0)
        {
            _listed = [.. SessionReader.List(runtime.SessionsRoot).Where(s => s.Id != runtime.Session.Id).Take(ResumeListLength)];
            if (_listed.Count == 0)
            {
                screen.WriteLine($"[grey]no other sessions under {Markup.Escape(runtime.SessionsRoot)}[/]");
                return;
            }
            var lines = new List<string> { "[bold]recent sessions[/] [grey](/resume N or /resume ID continues one)[/]" };
            for (int i = 0; i < _listed.Count; i++)
            {
                var s = _listed[i];
                string prompt = s.LastPrompt is null ? "(no prompt)" : s.LastPrompt.ReplaceLineEndings(" ");
                if (prompt.Length > 50) prompt = prompt[..50] + "…";
                lines.Add($"  [bold]{i + 1,2}[/] {s.UpdatedAt.ToLocalTime():MM-dd HH:mm} [grey]{s.Id[..8]}[/] {Markup.Escape(s.Model)} [grey]{Markup.Escape(s.Cwd)}[/]");
                lines.Add($"     {Markup.Escape(prompt)}");
            }
            screen.WriteLines(lines);
            return;
        }
        SessionInfo info;
        try
        {
            info = int.TryParse(argument, out int n) && n >= 1 && n <= _listed.Count
                ? _listed[n - 1]
                : SessionReader.Find(runtime.SessionsRoot, argument);
        }
        catch (ArgumentException e)
        {
            screen.WriteLine($"[red]/resume:[/] {Markup.Escape(e.Message)}");
            return;
        }
        if (info.Id == runtime.Session.Id)
        {
            screen.WriteLine("[grey]that is this session[/]");
            return;
        }
        RecordedSession recorded;
        try
        {
            recorded = SessionReader.Read(info.FilePath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            screen.WriteLine($"[red]/resume:[/] {Markup.Escape(e.Message)}");
            return;
        }
        string before = runtime.Client.Model;
        await runtime.StartConversationAsync(recorded, runtime.ModelFor(recorded), CancellationToken.None).ConfigureAwait(false);
        status.ContextUsed = null;
        var lines2 = new List<string> { "", "[bold]resumed[/]" };
        lines2.AddRange(Exec.SessionSummary.Lines(recorded).Select(l => $"[grey]{Markup.Escape(l)}[/]"));
        if (!string.Equals(recorded.Info.Cwd, runtime.Workspace.Root, StringComparison.Ordinal))
            lines2.Add($"[yellow]note:[/] that session ran in {Markup.Escape(recorded.Info.Cwd)}; this one works in {Markup.Escape(runtime.Workspace.Root)}");
        if (runtime.Client.Model != before)
            lines2.Add($"[bold]model[/] {Markup.Escape(before)} → [bold]{Markup.Escape(runtime.Client.Model)}[/] [grey](the model that session used last)[/]");
        foreach (string notice in runtime.Notices) lines2.Add($"[yellow]note:[/] {Markup.Escape(notice)}");
        runtime.Notices.Clear();
        screen.WriteLines(lines2);
    }

    private async Task DiffAsync()
    {
        var (code, diff, error) = await GitAsync("diff", "--no-color", "--no-ext-diff").ConfigureAwait(false);
        if (code != 0)
        {
            screen.WriteLine($"[red]/diff:[/] {Markup.Escape(error.Trim().Length > 0 ? error.Trim() : "git diff failed")} [grey](is {Markup.Escape(runtime.Workspace.Root)} a git repository?)[/]");
            return;
        }
        var (_, untracked, _) = await GitAsync("ls-files", "--others", "--exclude-standard").ConfigureAwait(false);
        var lines = new List<string>();
        if (diff.Trim().Length == 0 && untracked.Trim().Length == 0)
        {
            screen.WriteLine("[grey]no uncommitted changes in the workspace[/]");
            return;
        }
        foreach (string line in diff.TrimEnd('\n').Split('\n'))
        {
            string text = Markup.Escape(line);
            lines.Add(line switch
            {
                _ when line.StartsWith("diff --git", StringComparison.Ordinal) => $"[bold]{text}[/]",
                _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => $"[bold]{text}[/]",
                _ when line.StartsWith('+') => $"[green]{text}[/]",
                _ when line.StartsWith('-') => $"[red]{text}[/]",
                _ when line.StartsWith("@@", StringComparison.Ordinal) => $"[cyan]{text}[/]",
                _ => text,
            });
        }
        foreach (string file in untracked.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            lines.Add($"[green]new file (untracked): {Markup.Escape(file)}[/]");
        screen.WriteLines(lines);
    }

    private async Task<(int Code, string Output, string Error)> GitAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = runtime.Workspace.Root };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_PAGER"] = "cat";
        try
        {
            using var git = Process.Start(psi)!;
            var output = git.StandardOutput.ReadToEndAsync();
            var error = git.StandardError.ReadToEndAsync();
            await git.WaitForExitAsync().ConfigureAwait(false);
            return (git.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"git could not be started ({e.Message})");
        }
    }

    private void Approvals()
    {
        var policy = runtime.Policy;
        var lines = new List<string>
        {
            $"[bold]approvals[/] [grey]· mode {ApprovalModes.Name(policy.Mode)} · sandbox {Markup.Escape(SandboxText(policy.Sandbox))}[/]",
        };
        var rules = policy.ActiveRules();
        if (rules.Count == 0) lines.Add("  [grey]no rules yet: approving a call for this session or project adds one[/]");
        foreach (var active in rules)
        {
            string effect = active.Rule.Effect == RuleEffect.Deny ? "[red]deny [/]" : "[green]allow[/]";
            lines.Add($"  {effect} {Markup.Escape(active.Rule.ToString())} [grey]— {Markup.Escape(active.Source)}[/]");
        }
        screen.WriteLines(lines);
    }

    /// <summary>The sandbox mode, and whether it is enforced (bwrap found) — what a user needs to trust it.</summary>
    public static string SandboxText(Sandbox sandbox) =>
        SandboxModes.Name(sandbox.Mode) + (sandbox.IsAvailable ? "" : $" (not enforced: {sandbox.UnavailableReason})");
}
