using System.Text.RegularExpressions;

namespace Spark.Agent.Tools.Search;

/// <summary>
/// The patterns of one <c>.gitignore</c> file, relative to the folder it sits in. Follows gitignore(5): blank lines
/// and <c>#</c> comments are skipped, <c>!</c> re-includes, a trailing '/' matches only directories, a pattern with
/// a '/' at its start or middle is anchored to this folder, otherwise it matches a name at any depth; the last
/// matching pattern decides.
/// </summary>
internal sealed class GitIgnoreRules
{
    private readonly record struct Rule(Regex Regex, bool Negated, bool DirectoryOnly, bool MatchesName);

    private readonly List<Rule> _rules = [];

    /// <summary>Rules of a .gitignore in <paramref name="baseDirectory"/> ('/'-separated, relative to the walk root; "" for the root).</summary>
    public GitIgnoreRules(string baseDirectory, IEnumerable<string> lines)
    {
        BaseDirectory = baseDirectory;
        foreach (string raw in lines) Add(raw);
    }

    /// <summary>The folder the patterns are relative to ("" for the root).</summary>
    public string BaseDirectory { get; }

    /// <summary>
    /// Whether these rules ignore (true), re-include (false) or say nothing about (null) a path relative to
    /// <see cref="BaseDirectory"/>.
    /// </summary>
    public bool? Decide(string relativePath, bool isDirectory)
    {
        int slash = relativePath.LastIndexOf('/');
        string name = slash < 0 ? relativePath : relativePath[(slash + 1)..];
        for (int i = _rules.Count - 1; i >= 0; i--)
        {
            var rule = _rules[i];
            if (rule.DirectoryOnly && !isDirectory) continue;
            if (rule.Regex.IsMatch(rule.MatchesName ? name : relativePath)) return !rule.Negated;
        }
        return null;
    }

    private void Add(string raw)
    {
        string line = raw.TrimEnd('\r');
        if (line.Length == 0 || line[0] == '#') return;
        // Trailing spaces are dropped unless escaped with a backslash.
        int end = line.Length;
        while (end > 0 && line[end - 1] == ' ' && !(end > 1 && line[end - 2] == '\\')) end--;
        line = line[..end];
        if (line.EndsWith("\\ ", StringComparison.Ordinal)) line = line[..^2] + " ";
        bool negated = false;
        if (line.StartsWith('!')) { negated = true; line = line[1..]; }
        else if (line.StartsWith("\\!", StringComparison.Ordinal) || line.StartsWith("\\#", StringComparison.Ordinal)) line = line[1..];
        bool directoryOnly = line.EndsWith('/');
        line = line.TrimEnd('/');
        if (line.Length == 0) return;
        bool anchored = line.Contains('/', StringComparison.Ordinal);
        if (line.StartsWith('/')) line = line[1..];
        if (line.Length == 0) return;
        _rules.Add(new Rule(GlobPattern.Compile(line), negated, directoryOnly, MatchesName: !anchored));
    }
}
