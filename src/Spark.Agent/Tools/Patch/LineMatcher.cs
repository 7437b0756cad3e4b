using System.Text;

namespace Spark.Agent.Tools.Patch;

/// <summary>
/// Finds a run of lines in a file the way Codex's applier does, from strict to forgiving: exact, then ignoring
/// trailing whitespace, then ignoring surrounding whitespace, then also treating typographic punctuation (curly
/// quotes, dashes, non-breaking spaces) as its ASCII twin. The first pass that finds the lines wins, so a
/// forgiving pass never overrides an exact match further down.
/// </summary>
internal static class LineMatcher
{
    private static readonly Func<string, string, bool>[] Passes =
    [
        static (a, b) => a == b,
        static (a, b) => a.AsSpan().TrimEnd().SequenceEqual(b.AsSpan().TrimEnd()),
        static (a, b) => a.AsSpan().Trim().SequenceEqual(b.AsSpan().Trim()),
        static (a, b) => Normalize(a) == Normalize(b),
    ];

    /// <summary>
    /// The index of the first occurrence of <paramref name="pattern"/> at or after <paramref name="start"/>, or -1.
    /// With <paramref name="atEnd"/> the lines are first looked for at the very end of the file.
    /// </summary>
    public static int Find(IReadOnlyList<string> lines, IReadOnlyList<string> pattern, int start, bool atEnd)
    {
        if (pattern.Count == 0) return start;
        if (pattern.Count > lines.Count) return -1;
        if (atEnd)
        {
            int endStart = lines.Count - pattern.Count;
            if (endStart >= start)
                foreach (var equal in Passes)
                    if (MatchesAt(lines, pattern, endStart, equal)) return endStart;
        }
        foreach (var equal in Passes)
            for (int i = start; i <= lines.Count - pattern.Count; i++)
                if (MatchesAt(lines, pattern, i, equal)) return i;
        return -1;
    }

    private static bool MatchesAt(IReadOnlyList<string> lines, IReadOnlyList<string> pattern, int at, Func<string, string, bool> equal)
    {
        for (int j = 0; j < pattern.Count; j++)
            if (!equal(lines[at + j], pattern[j])) return false;
        return true;
    }

    private static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s.AsSpan().Trim())
        {
            sb.Append(c switch
            {
                '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => '-',
                '\u2018' or '\u2019' or '\u201A' or '\u201B' => '\'',
                '\u201C' or '\u201D' or '\u201E' or '\u201F' => '"',
                '\u00A0' or '\u2002' or '\u2003' or '\u2004' or '\u2005' or '\u2006' or '\u2007' or '\u2008' or '\u2009'
                    or '\u200A' or '\u202F' or '\u205F' or '\u3000' => ' ',
                _ => c,
            });
        }
        return sb.ToString();
    }
}
