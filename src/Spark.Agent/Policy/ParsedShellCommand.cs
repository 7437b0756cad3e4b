namespace Spark.Agent.Policy;

/// <summary>One simple command of a command line: its words after leading <c>VAR=value</c> assignments.</summary>
/// <param name="Argv">The program and its arguments, quotes and escapes removed.</param>
/// <param name="Assignments">The <c>VAR=value</c> words that preceded it (stripped from <paramref name="Argv"/>).</param>
public sealed record SimpleCommand(IReadOnlyList<string> Argv, IReadOnlyList<string> Assignments)
{
    /// <summary>The words joined by spaces (for messages).</summary>
    public override string ToString() => string.Join(' ', Argv);
}

/// <summary>
/// A bash command line split into its simple commands (at <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c>,
/// <c>&amp;</c> and newlines), with everything that makes the words differ from what will run listed in
/// <see cref="Hazards"/>: command substitution, file redirections, subshells, here-documents, control structures.
/// Rules and the safe-command list only vouch for a command line without hazards; deny rules apply regardless.
/// </summary>
/// <param name="Commands">The simple commands in order (a nested <c>bash -c "…"</c> contributes its inner commands).</param>
/// <param name="Hazards">Why the words cannot be trusted to describe what runs; empty for a plain command line.</param>
public sealed record ParsedShellCommand(IReadOnlyList<SimpleCommand> Commands, IReadOnlyList<string> Hazards)
{
    /// <summary>True when the command line is nothing but simple commands joined by operators.</summary>
    public bool IsPlain => Hazards.Count == 0;
}
