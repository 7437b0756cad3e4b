using System.Text.RegularExpressions;

namespace Spark.Agent.Tools.Patch;

/// <summary>
/// Parses the patch format Codex-trained models write:
/// <code>
/// *** Begin Patch
/// *** Add File: path          then lines starting with '+'
/// *** Delete File: path
/// *** Update File: path
/// *** Move to: new/path       (optional)
/// @@ optional context line    then ' ' context, '-' removed, '+' added lines; '*** End of File' anchors at the end
/// *** End Patch
/// </code>
/// Lenient where models are sloppy (surrounding heredoc, blank lines between sections, a first hunk without
/// <c>@@</c>, unified-diff line numbers after <c>@@</c>); strict and precise about everything else.
/// </summary>
internal static partial class PatchParser
{
    private const string BeginMarker = "*** Begin Patch";
    private const string EndMarker = "*** End Patch";
    private const string AddPrefix = "*** Add File: ";
    private const string DeletePrefix = "*** Delete File: ";
    private const string UpdatePrefix = "*** Update File: ";
    private const string MovePrefix = "*** Move to: ";
    private const string EndOfFileMarker = "*** End of File";

    public static IReadOnlyList<PatchOperation> Parse(string input)
    {
        string[] lines = input.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int first = 0, last = lines.Length - 1;
        while (first <= last && lines[first].Trim().Length == 0) first++;
        while (last >= first && lines[last].Trim().Length == 0) last--;
        // A patch pasted as a heredoc (apply_patch <<'EOF' … EOF) keeps its wrapper lines: drop them.
        if (first < last && lines[first].TrimStart().StartsWith("<<", StringComparison.Ordinal) &&
            lines[first].Contains("EOF", StringComparison.Ordinal) && lines[last].Trim() == "EOF")
        {
            first++;
            last--;
        }
        if (first > last) throw new PatchFormatException($"The patch is empty; it must start with '{BeginMarker}'.");
        if (lines[first].Trim() != BeginMarker)
            throw new PatchFormatException($"Line {first + 1}: the patch must start with '{BeginMarker}', not '{Clip(lines[first])}'.");
        if (lines[last].Trim() != EndMarker)
            throw new PatchFormatException($"Line {last + 1}: the patch must end with '{EndMarker}', not '{Clip(lines[last])}'.");

        var ops = new List<PatchOperation>();
        int i = first + 1;
        while (i < last)
        {
            string line = lines[i];
            string header = line.Trim();
            if (header.Length == 0) { i++; continue; }
            if (header.StartsWith(AddPrefix, StringComparison.Ordinal))
            {
                string path = PathOf(header, AddPrefix, i);
                int start = i++;
                var content = new List<string>();
                while (i < last && lines[i].StartsWith('+')) content.Add(lines[i++][1..]);
                if (i < last && !IsFileHeader(lines[i]) && lines[i].Trim().Length > 0)
                    throw new PatchFormatException(
                        $"Line {i + 1}: in Add File '{path}', every line of the new file must start with '+' (got '{Clip(lines[i])}').");
                ops.Add(new AddFileOperation(path, start + 1, content.Count == 0 ? "" : string.Join('\n', content) + "\n"));
            }
            else if (header.StartsWith(DeletePrefix, StringComparison.Ordinal))
            {
                ops.Add(new DeleteFileOperation(PathOf(header, DeletePrefix, i), i + 1));
                i++;
            }
            else if (header.StartsWith(UpdatePrefix, StringComparison.Ordinal))
            {
                ops.Add(ParseUpdate(lines, ref i, last));
            }
            else
            {
                throw new PatchFormatException(
                    $"Line {i + 1}: expected '{AddPrefix}path', '{UpdatePrefix}path' or '{DeletePrefix}path', got '{Clip(line)}'.");
            }
        }
        if (ops.Count == 0) throw new PatchFormatException("The patch contains no file sections (Add File, Update File or Delete File).");
        return ops;
    }

    private static UpdateFileOperation ParseUpdate(string[] lines, ref int i, int last)
    {
        int start = i;
        string path = PathOf(lines[i].Trim(), UpdatePrefix, i);
        i++;
        string? moveTo = null;
        if (i < last && lines[i].Trim().StartsWith(MovePrefix, StringComparison.Ordinal))
        {
            moveTo = PathOf(lines[i].Trim(), MovePrefix, i);
            i++;
        }
        var hunks = new List<PatchHunk>();
        while (i < last && !IsFileHeader(lines[i]))
        {
            if (lines[i].Trim().Length == 0 && (i + 1 >= last || IsFileHeader(lines[i + 1]))) { i++; continue; }
            int hunkStart = i;
            string? context = null;
            string trimmed = lines[i].Trim();
            if (trimmed == "@@" || trimmed.StartsWith("@@ ", StringComparison.Ordinal))
            {
                context = ContextOf(trimmed);
                i++;
            }
            else if (hunks.Count > 0)
            {
                throw new PatchFormatException(
                    $"Line {i + 1}: in Update File '{path}', expected '@@' to start the next hunk, got '{Clip(lines[i])}'.");
            }
            var oldLines = new List<string>();
            var newLines = new List<string>();
            bool endOfFile = false;
            while (i < last)
            {
                string l = lines[i];
                if (l.Trim() == EndOfFileMarker) { endOfFile = true; i++; break; }
                if (l.StartsWith("@@", StringComparison.Ordinal) || IsFileHeader(l)) break;
                if (l.Length == 0) { oldLines.Add(""); newLines.Add(""); }
                else if (l[0] == ' ') { oldLines.Add(l[1..]); newLines.Add(l[1..]); }
                else if (l[0] == '-') oldLines.Add(l[1..]);
                else if (l[0] == '+') newLines.Add(l[1..]);
                else
                    throw new PatchFormatException(
                        $"Line {i + 1}: in Update File '{path}' hunk {hunks.Count + 1}, every line must start with ' ' (context), " +
                        $"'-' (remove) or '+' (add); got '{Clip(l)}'.");
                i++;
            }
            if (oldLines.Count == 0 && newLines.Count == 0)
                throw new PatchFormatException(
                    $"Line {hunkStart + 1}: in Update File '{path}', hunk {hunks.Count + 1} is empty; give context and '-'/'+' lines after '@@'.");
            hunks.Add(new PatchHunk(hunks.Count + 1, hunkStart + 1, context, oldLines, newLines, endOfFile));
        }
        if (hunks.Count == 0 && moveTo is null)
            throw new PatchFormatException($"Line {start + 1}: Update File '{path}' has no hunks; add '@@' hunks or use '*** Move to:'.");
        return new UpdateFileOperation(path, start + 1, moveTo, hunks);
    }

    // "@@ def f():" seeks to that line first; "@@ -12,7 +12,8 @@ def f():" is a unified-diff header whose numbers are
    // ignored (models mix the formats) and whose trailing text, if any, is the context.
    private static string? ContextOf(string header)
    {
        string rest = header[2..].Trim();
        var unified = UnifiedHeader().Match(rest);
        if (unified.Success) rest = rest[unified.Length..].Trim();
        return rest.Length == 0 ? null : rest;
    }

    private static bool IsFileHeader(string line)
    {
        string t = line.Trim();
        return t.StartsWith(AddPrefix, StringComparison.Ordinal) || t.StartsWith(DeletePrefix, StringComparison.Ordinal) ||
               t.StartsWith(UpdatePrefix, StringComparison.Ordinal) || t == EndMarker;
    }

    private static string PathOf(string header, string prefix, int index)
    {
        string path = header[prefix.Length..].Trim();
        if (path.Length == 0) throw new PatchFormatException($"Line {index + 1}: '{prefix.Trim()}' needs a file path.");
        return path;
    }

    private static string Clip(string line) => line.Length > 80 ? line[..80] + "…" : line;

    [GeneratedRegex(@"^-\d+(,\d+)? \+\d+(,\d+)? @@")]
    private static partial Regex UnifiedHeader();
}
