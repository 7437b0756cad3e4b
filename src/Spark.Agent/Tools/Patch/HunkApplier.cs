using System.Text;

namespace Spark.Agent.Tools.Patch;

/// <summary>
/// Applies the hunks of one Update File section to a file's text in memory. Hunks are matched in file order (each
/// search starts after the previous hunk); a failure names the file, the hunk and the lines that were not found.
/// </summary>
internal static class HunkApplier
{
    private const int MaxLinesQuoted = 12;

    public static string Apply(string displayPath, string content, IReadOnlyList<PatchHunk> hunks)
    {
        // Files with Windows line endings keep them: match without the '\r', write the new lines with it.
        bool crlf = content.Contains("\r\n", StringComparison.Ordinal) &&
                    content.Count(c => c == '\n') == CountOccurrences(content, "\r\n");
        string text = crlf ? content.Replace("\r\n", "\n", StringComparison.Ordinal) : content;
        var lines = new List<string>(text.Split('\n'));
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);

        var replacements = new List<(int Start, int Length, IReadOnlyList<string> With)>();
        int cursor = 0;
        foreach (var hunk in hunks)
        {
            if (hunk.Context is { } context)
            {
                int at = LineMatcher.Find(lines, [context], cursor, atEnd: false);
                if (at < 0)
                    throw new PatchApplyException(
                        $"{displayPath}: hunk {hunk.Number} of {hunks.Count} (patch line {hunk.LineNumber}, '@@ {context}') did not match: " +
                        $"the context line '{context}' was not found{After(cursor)}.{EarlierHint(lines, [context], cursor)}");
                cursor = at + 1;
            }
            if (hunk.OldLines.Count == 0)
            {
                // Pure addition: after the @@ context line when there is one, otherwise at the end of the file.
                int insertAt = hunk.Context is null || hunk.EndOfFile ? lines.Count : cursor;
                replacements.Add((insertAt, 0, hunk.NewLines));
                cursor = insertAt;
                continue;
            }
            IReadOnlyList<string> expected = hunk.OldLines, replacement = hunk.NewLines;
            int found = LineMatcher.Find(lines, expected, cursor, hunk.EndOfFile);
            if (found < 0 && expected[^1].Length == 0)
            {
                // A trailing blank line in the hunk is often just the blank line before the next section.
                expected = [.. expected.Take(expected.Count - 1)];
                if (replacement.Count > 0 && replacement[^1].Length == 0) replacement = [.. replacement.Take(replacement.Count - 1)];
                found = expected.Count == 0 ? -1 : LineMatcher.Find(lines, expected, cursor, hunk.EndOfFile);
            }
            if (found < 0)
            {
                string where = hunk.Context is null ? "" : $", '@@ {hunk.Context}'";
                throw new PatchApplyException(
                    $"{displayPath}: hunk {hunk.Number} of {hunks.Count} (patch line {hunk.LineNumber}{where}) did not match: " +
                    $"these lines were not found{After(cursor)}{(hunk.EndOfFile ? " at the end of the file" : "")}:\n" +
                    Quote(hunk.OldLines) + EarlierHint(lines, hunk.OldLines, cursor));
            }
            replacements.Add((found, expected.Count, replacement));
            cursor = found + expected.Count;
        }

        for (int r = replacements.Count - 1; r >= 0; r--)
        {
            var (start, length, with) = replacements[r];
            lines.RemoveRange(start, length);
            lines.InsertRange(start, with);
        }
        if (lines.Count == 0) return "";
        string newline = crlf ? "\r\n" : "\n";
        return string.Join(newline, lines) + newline;
    }

    private static string After(int cursor) => cursor == 0 ? "" : $" after line {cursor}";

    private static string EarlierHint(List<string> lines, IReadOnlyList<string> pattern, int cursor)
    {
        if (cursor == 0) return "\nRe-read the file and copy the context lines exactly.";
        int earlier = LineMatcher.Find(lines, pattern, 0, atEnd: false);
        return earlier >= 0 && earlier < cursor
            ? $"\nThey appear earlier, at line {earlier + 1}: hunks must be in the order their lines appear in the file."
            : "\nRe-read the file and copy the context lines exactly.";
    }

    private static string Quote(IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < lines.Count && i < MaxLinesQuoted; i++) sb.Append("    ").Append(lines[i]).Append('\n');
        if (lines.Count > MaxLinesQuoted) sb.Append("    … (").Append(lines.Count - MaxLinesQuoted).Append(" more lines)\n");
        return sb.ToString().TrimEnd('\n');
    }

    private static int CountOccurrences(string s, string what)
    {
        int n = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
