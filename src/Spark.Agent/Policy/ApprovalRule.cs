namespace Spark.Agent.Policy;

/// <summary>Whether a rule lets matching calls run or stops them.</summary>
public enum RuleEffect
{
    /// <summary>Matching calls run without asking.</summary>
    Allow,
    /// <summary>Matching calls are refused; deny always beats allow.</summary>
    Deny,
}

/// <summary>How long a remembered approval lasts.</summary>
public enum ApprovalScope
{
    /// <summary>The next matching call only.</summary>
    Once,
    /// <summary>Until the session ends.</summary>
    Session,
    /// <summary>Every session in this project (saved under the user's Spark folder, never in the repository).</summary>
    Project,
}

/// <summary>How scopes are named in approval prompts and in <c>/approvals</c>.</summary>
public static class ApprovalScopes
{
    /// <summary>"once", "this session" or "this project".</summary>
    public static string Label(this ApprovalScope scope) => scope switch
    {
        ApprovalScope.Once => "once",
        ApprovalScope.Session => "this session",
        _ => "this project",
    };
}

/// <summary>
/// An approval rule. For <c>shell</c> it matches by the parsed argv: <see cref="CommandPrefix"/> matches every
/// simple command whose words start with it (environment assignments stripped), <see cref="ExactCommand"/> the whole
/// command line as written; with neither it covers every call of <see cref="Tool"/>.
/// </summary>
public sealed record ApprovalRule
{
    /// <summary>Allow or deny.</summary>
    public required RuleEffect Effect { get; init; }

    /// <summary>The tool the rule is about (<c>shell</c>, <c>apply_patch</c>, …).</summary>
    public required string Tool { get; init; }

    /// <summary>For shell: the leading words a simple command must have (e.g. <c>git push</c>).</summary>
    public IReadOnlyList<string>? CommandPrefix { get; init; }

    /// <summary>For shell: the exact command line (used for command lines that cannot be split safely).</summary>
    public string? ExactCommand { get; init; }

    /// <summary>A rule about shell commands starting with these words.</summary>
    public static ApprovalRule Command(RuleEffect effect, params string[] prefix) =>
        new() { Effect = effect, Tool = "shell", CommandPrefix = prefix };

    /// <summary>A rule about every call of a tool.</summary>
    public static ApprovalRule WholeTool(RuleEffect effect, string tool) => new() { Effect = effect, Tool = tool };

    /// <summary>Whether a simple command's words start with <see cref="CommandPrefix"/>.</summary>
    internal bool MatchesArgv(IReadOnlyList<string> argv)
    {
        if (CommandPrefix is not { Count: > 0 } prefix || argv.Count < prefix.Count) return false;
        for (int i = 0; i < prefix.Count; i++)
            if (!string.Equals(argv[i], prefix[i], StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>Whether the rule covers every call of its tool.</summary>
    internal bool IsWholeTool => CommandPrefix is not { Count: > 0 } && ExactCommand is null;

    /// <summary>A readable form such as <c>allow shell: git push …</c> (for /approvals and prompts).</summary>
    public override string ToString()
    {
        string what = ExactCommand is not null ? $"{Tool}: exactly `{ExactCommand}`"
            : CommandPrefix is { Count: > 0 } p ? $"{Tool}: {string.Join(' ', p)} …"
            : $"{Tool}: every call";
        return $"{(Effect == RuleEffect.Allow ? "allow" : "deny")} {what}";
    }

    /// <summary>Equality by content (the prefix compared word by word).</summary>
    public bool Equals(ApprovalRule? other) =>
        other is not null && Effect == other.Effect && Tool == other.Tool && ExactCommand == other.ExactCommand &&
        (CommandPrefix ?? []).SequenceEqual(other.CommandPrefix ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Effect, Tool, ExactCommand, CommandPrefix?.Count);
}

/// <summary>A rule in force, with its scope and where it came from (for <c>/approvals</c>).</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Scope">How long it lasts.</param>
/// <param name="Source">Where it came from: "approved in this session", the project file's path, "config", ….</param>
public sealed record ActiveRule(ApprovalRule Rule, ApprovalScope Scope, string Source);
