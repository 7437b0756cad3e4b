using System.Text.RegularExpressions;

namespace Spark.Agent.Policy;

/// <summary>
/// Commands known to only read (files, the repository, the system's state): in <c>untrusted</c> mode these run
/// without asking. Options that make an otherwise read-only program write or execute (<c>find -delete</c>,
/// <c>sort -o</c>, <c>rg --pre</c>, <c>git diff --output</c>, <c>sed -i</c>) disqualify the command.
/// </summary>
public static partial class SafeCommands
{
    private static readonly HashSet<string> AlwaysSafe =
    [
        "basename", "cat", "cd", "cut", "date", "df", "dirname", "du", "echo", "egrep", "expr", "false", "fgrep", "file",
        "grep", "head", "hostname", "id", "ls", "nl", "printf", "pwd", "readlink", "realpath", "rev", "seq", "stat",
        "tac", "tail", "tr", "tree", "true", "uname", "wc", "which", "whoami",
    ];

    private static readonly HashSet<string> FindWriting =
        ["-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf"];

    private static readonly HashSet<string> GitReadOnly =
        ["status", "log", "diff", "show", "rev-parse", "ls-files", "blame", "grep", "describe", "shortlog", "ls-tree", "cat-file"];

    /// <summary>Whether one simple command only reads.</summary>
    public static bool IsKnownSafe(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) return false;
        string program = argv[0];
        if (AlwaysSafe.Contains(program)) return true;
        var args = argv.Skip(1).ToList();
        return program switch
        {
            "find" => !args.Any(FindWriting.Contains),
            "rg" => !args.Any(a => a.StartsWith("--pre", StringComparison.Ordinal) || a is "-z" or "--search-zip"),
            "sort" => !args.Any(a => a == "-o" || a.StartsWith("--output", StringComparison.Ordinal) || (a.StartsWith("-o", StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal))),
            "uniq" => args.Count(a => !a.StartsWith('-')) <= 1, // a second file operand is the output file
            "diff" => true,
            "sed" => IsPrintOnlySed(args),
            "git" => IsReadOnlyGit(args),
            _ => false,
        };
    }

    /// <summary>Whether every command of a parsed command line only reads (and the line has no hazards).</summary>
    public static bool IsKnownSafe(ParsedShellCommand command) =>
        command.IsPlain && command.Commands.Count > 0 && command.Commands.All(c => IsKnownSafe(c.Argv));

    // Only "sed -n 'N,Mp' [file]": printing a range of lines.
    private static bool IsPrintOnlySed(List<string> args) =>
        args.Count is 2 or 3 && args[0] == "-n" && SedPrint().IsMatch(args[1]);

    private static bool IsReadOnlyGit(List<string> args)
    {
        if (args.Count == 0) return false;
        string sub = args[0];
        var rest = args.Skip(1).ToList();
        if (rest.Any(a => a.StartsWith("--output", StringComparison.Ordinal) || a == "--ext-diff")) return false;
        if (GitReadOnly.Contains(sub)) return true;
        // "git branch" only lists when given no names or only listing flags.
        return sub == "branch" && rest.All(a => a is "-a" or "-r" or "-v" or "-vv" or "--list" or "--show-current" or "--all" or "--remotes");
    }

    [GeneratedRegex(@"^\d+(,\d+)?p$")]
    private static partial Regex SedPrint();
}
