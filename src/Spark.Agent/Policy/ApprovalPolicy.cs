using Spark.Agent.Tools;
using Spark.Agent.Tools.Patch;

namespace Spark.Agent.Policy;

/// <summary>
/// Decides, before a tool call runs, whether it may run, must be approved by the user, or is refused — from the
/// approval mode, the sandbox and the rules the user has given (deny always beats allow). It never prompts: front
/// ends show <see cref="ApprovalDecision.AskUser"/> and report the answer through <see cref="Approve"/> or
/// <see cref="Remember"/>.
/// </summary>
public sealed class ApprovalPolicy
{
    private static readonly HashSet<string> ReadOnlyTools = ["read_file", "list_dir", "grep", "update_plan"];
    private static readonly IReadOnlyList<ApprovalScope> AllScopes = [ApprovalScope.Once, ApprovalScope.Session, ApprovalScope.Project];

    private readonly Lock _lock = new();
    private readonly List<ActiveRule> _rules = [];
    private readonly Workspace _workspace;
    private readonly ProjectRuleStore? _projectStore;

    /// <summary>A policy for one session; project rules are loaded from <paramref name="projectRules"/> when given.</summary>
    public ApprovalPolicy(ApprovalMode mode, Sandbox sandbox, Workspace workspace, ProjectRuleStore? projectRules = null)
    {
        Mode = mode;
        Sandbox = sandbox;
        _workspace = workspace;
        _projectStore = projectRules;
        if (projectRules is not null)
            foreach (var rule in projectRules.Load())
                _rules.Add(new ActiveRule(rule, ApprovalScope.Project, $"project ({projectRules.FilePath})"));
    }

    /// <summary>The approval mode.</summary>
    public ApprovalMode Mode { get; }

    /// <summary>The sandbox commands run in.</summary>
    public Sandbox Sandbox { get; }

    /// <summary>
    /// The one-time notice to show when the sandbox the mode relies on is missing (null when there is nothing to say).
    /// </summary>
    public string? SandboxWarning => Sandbox.IsAvailable
        ? null
        : Mode == ApprovalMode.Never
            ? $"No sandbox available: {Sandbox.UnavailableReason}. With --ask-for-approval never, commands run unconfined."
            : $"No sandbox available: {Sandbox.UnavailableReason}. Every shell command will be asked for approval.";

    /// <summary>Adds rules that last for the session, labelled with where they came from (e.g. "config").</summary>
    public void AddRules(IEnumerable<ApprovalRule> rules, string source)
    {
        lock (_lock)
            foreach (var rule in rules) _rules.Add(new ActiveRule(rule, ApprovalScope.Session, source));
    }

    /// <summary>Remembers a rule with a scope; project-scoped rules are also saved to the project file.</summary>
    public void Remember(ApprovalRule rule, ApprovalScope scope)
    {
        if (scope == ApprovalScope.Project)
        {
            if (_projectStore is null)
                throw new InvalidOperationException("This session has no project approvals file; remember the rule for the session instead.");
            _projectStore.Add(rule);
        }
        string source = scope switch
        {
            ApprovalScope.Once => "approved once (next matching call)",
            ApprovalScope.Session => "approved in this session",
            _ => $"project ({_projectStore!.FilePath})",
        };
        lock (_lock)
        {
            if (_rules.Any(r => r.Scope == scope && r.Rule.Equals(rule))) return;
            _rules.Add(new ActiveRule(rule, scope, source));
        }
    }

    /// <summary>The user approved an <see cref="ApprovalDecision.AskUser"/> with a scope: remembers its suggested rules.</summary>
    public void Approve(ApprovalDecision.AskUser ask, ApprovalScope scope)
    {
        foreach (var rule in ask.SuggestedRules) Remember(rule, scope);
    }

    /// <summary>The rules in force, deny rules first, each with its scope and origin (for <c>/approvals</c>).</summary>
    public IReadOnlyList<ActiveRule> ActiveRules()
    {
        lock (_lock) return [.. _rules.OrderBy(r => r.Rule.Effect == RuleEffect.Deny ? 0 : 1)];
    }

    /// <summary>Decides about one call. Never throws; malformed arguments are allowed through for the tool to reject.</summary>
    public ApprovalDecision Evaluate(ToolCall call)
    {
        lock (_lock)
        {
            return call.Name switch
            {
                "shell" => EvaluateShell(call),
                "apply_patch" => EvaluatePatch(call),
                _ => EvaluateOther(call.Name),
            };
        }
    }

    private ApprovalDecision EvaluateShell(ToolCall call)
    {
        ShellRequest request;
        try
        {
            request = ShellRequest.From(ToolArguments.Parse("shell", call.ArgumentsJson));
        }
        catch (ToolArgumentException)
        {
            return new ApprovalDecision.Allow { Reason = "the arguments are invalid; the tool reports the error and runs nothing" };
        }
        string line = request.Command.Trim();
        // "apply_patch <<'EOF' …" through the shell is applied by the apply_patch tool: judge it as a patch.
        if (ShellPatchCommand.TryParse(request.Command, out string patch, out string? patchDirectory))
        {
            try
            {
                string workdir = request.Workdir is null ? _workspace.Root : _workspace.Resolve(request.Workdir);
                return EvaluatePatchText(patch, patchDirectory is null ? workdir : _workspace.Resolve(patchDirectory, workdir));
            }
            catch (Exception e) when (e is PathOutsideWorkspaceException or IOException)
            {
                return new ApprovalDecision.Deny { Reason = e.Message };
            }
        }
        var parsed = ShellCommandParser.Parse(request.Command);

        foreach (var active in _rules)
        {
            var rule = active.Rule;
            if (rule.Effect != RuleEffect.Deny || rule.Tool != "shell") continue;
            bool hit = rule.IsWholeTool || rule.ExactCommand == line ||
                       parsed.Commands.Any(c => CommandWrappers.Variants(c.Argv).Any(rule.MatchesArgv));
            if (!hit) continue;
            Consume(active);
            return new ApprovalDecision.Deny { Reason = $"`{line}` is refused by the rule '{rule}' ({active.Source})." };
        }

        if (AllowedByRules(line, parsed) is { } allowedBy)
            return new ApprovalDecision.Allow { Reason = allowedBy };

        switch (Mode)
        {
            case ApprovalMode.Never:
                return new ApprovalDecision.Allow { Reason = "approval mode is never" };
            case ApprovalMode.Untrusted:
                if (SafeCommands.IsKnownSafe(parsed)) return new ApprovalDecision.Allow { Reason = "known read-only command" };
                return Ask(parsed, line, request.Workdir, parsed.IsPlain
                    ? "the command is not on the list of known read-only commands (approval mode untrusted)"
                    : $"the command cannot be checked word by word ({string.Join(", ", parsed.Hazards)})");
            default:
                if (Sandbox.IsAvailable)
                    return new ApprovalDecision.Allow { Reason = $"runs in the {Sandbox.Mode.Name()} sandbox" };
                return Ask(parsed, line, request.Workdir, $"no sandbox is available ({Sandbox.UnavailableReason}), so every command needs approval");
        }
    }

    // Every simple command must be covered by an allow rule or be a known read-only command, and at least one rule
    // must have been used: a rule cannot vouch for words it cannot see, so hazardous lines need an exact rule.
    private string? AllowedByRules(string line, ParsedShellCommand parsed)
    {
        foreach (var active in _rules)
        {
            var rule = active.Rule;
            if (rule.Effect == RuleEffect.Allow && rule.Tool == "shell" && (rule.IsWholeTool || rule.ExactCommand == line))
            {
                Consume(active);
                return $"allowed by '{rule}' ({active.Source})";
            }
        }
        if (!parsed.IsPlain || parsed.Commands.Count == 0) return null;
        var used = new List<ActiveRule>();
        foreach (var command in parsed.Commands)
        {
            var match = _rules.FirstOrDefault(r => r.Rule.Effect == RuleEffect.Allow && r.Rule.Tool == "shell" && r.Rule.MatchesArgv(command.Argv));
            if (match is not null) { if (!used.Contains(match)) used.Add(match); continue; }
            if (!SafeCommands.IsKnownSafe(command.Argv)) return null;
        }
        if (used.Count == 0) return null;
        foreach (var u in used) Consume(u);
        return $"allowed by {string.Join(", ", used.Select(u => $"'{u.Rule}' ({u.Source})"))}";
    }

    private ApprovalDecision.AskUser Ask(ParsedShellCommand parsed, string line, string? workdir, string reason)
    {
        var suggestions = new List<ApprovalRule>();
        if (parsed.IsPlain && parsed.Commands.Count > 0)
        {
            var notSafe = parsed.Commands.Where(c => !SafeCommands.IsKnownSafe(c.Argv)).ToList();
            foreach (var c in notSafe.Count > 0 ? notSafe : parsed.Commands)
            {
                var rule = ApprovalRule.Command(RuleEffect.Allow, [.. c.Argv]);
                if (!suggestions.Contains(rule)) suggestions.Add(rule);
            }
        }
        else
        {
            suggestions.Add(new ApprovalRule { Effect = RuleEffect.Allow, Tool = "shell", ExactCommand = line });
        }
        string where = workdir is null ? "" : $" in {workdir}";
        return new ApprovalDecision.AskUser { Reason = $"Run `{line}`{where}? {Capitalize(reason)}.", Scopes = AllScopes, SuggestedRules = suggestions };
    }

    private ApprovalDecision EvaluatePatch(ToolCall call)
    {
        string input;
        try
        {
            input = ToolArguments.Parse("apply_patch", call.ArgumentsJson).RequiredString("input");
        }
        catch (ToolArgumentException)
        {
            return new ApprovalDecision.Allow { Reason = "the arguments are invalid; the tool reports the error and changes nothing" };
        }
        return EvaluatePatchText(input, baseDirectory: null);
    }

    private ApprovalDecision EvaluatePatchText(string input, string? baseDirectory)
    {
        if (DenyingRule("apply_patch") is { } deny)
            return new ApprovalDecision.Deny { Reason = $"apply_patch is refused by the rule '{deny.Rule}' ({deny.Source})." };
        if (!Sandbox.AllowsWrites)
            return new ApprovalDecision.Deny { Reason = "the sandbox is read-only (--sandbox read-only): files cannot be changed." };

        var paths = new List<string>();
        try
        {
            foreach (var op in PatchParser.Parse(input))
            {
                paths.Add(op.Path);
                if (op is UpdateFileOperation { MoveTo: { } to }) paths.Add(to);
            }
        }
        catch (PatchFormatException)
        {
            return new ApprovalDecision.Allow { Reason = "the patch is malformed; the tool reports the error and changes nothing" };
        }
        foreach (string path in paths)
        {
            try
            {
                _workspace.Resolve(path, baseDirectory);
            }
            catch (Exception e) when (e is PathOutsideWorkspaceException or IOException)
            {
                return new ApprovalDecision.Deny { Reason = e.Message };
            }
        }

        if (AllowingRule("apply_patch") is { } allow)
        {
            Consume(allow);
            return new ApprovalDecision.Allow { Reason = $"allowed by '{allow.Rule}' ({allow.Source})" };
        }
        if (Mode == ApprovalMode.Untrusted)
            return new ApprovalDecision.AskUser
            {
                Reason = $"Apply a patch to {string.Join(", ", paths.Distinct())}? Edits need approval in approval mode untrusted.",
                Scopes = AllScopes,
                SuggestedRules = [ApprovalRule.WholeTool(RuleEffect.Allow, "apply_patch")],
            };
        return new ApprovalDecision.Allow { Reason = "edits inside the workspace" };
    }

    private ApprovalDecision EvaluateOther(string tool)
    {
        if (DenyingRule(tool) is { } deny)
            return new ApprovalDecision.Deny { Reason = $"{tool} is refused by the rule '{deny.Rule}' ({deny.Source})." };
        if (ReadOnlyTools.Contains(tool)) return new ApprovalDecision.Allow { Reason = "read-only tool" };
        if (AllowingRule(tool) is { } allow)
        {
            Consume(allow);
            return new ApprovalDecision.Allow { Reason = $"allowed by '{allow.Rule}' ({allow.Source})" };
        }
        // A tool this policy does not know might change anything: ask when the user asked to be asked.
        return Mode == ApprovalMode.Untrusted
            ? new ApprovalDecision.AskUser
            {
                Reason = $"Run the tool {tool}? It is not known to be read-only.",
                Scopes = AllScopes,
                SuggestedRules = [ApprovalRule.WholeTool(RuleEffect.Allow, tool)],
            }
            : new ApprovalDecision.Allow { Reason = "not restricted by the approval mode" };
    }

    private ActiveRule? DenyingRule(string tool) =>
        _rules.FirstOrDefault(r => r.Rule.Effect == RuleEffect.Deny && r.Rule.Tool == tool && r.Rule.IsWholeTool);

    private ActiveRule? AllowingRule(string tool) =>
        _rules.FirstOrDefault(r => r.Rule.Effect == RuleEffect.Allow && r.Rule.Tool == tool && r.Rule.IsWholeTool);

    private void Consume(ActiveRule rule)
    {
        if (rule.Scope == ApprovalScope.Once) _rules.Remove(rule);
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
