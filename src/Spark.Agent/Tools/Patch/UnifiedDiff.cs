using System.Text;

namespace Spark.Agent.Tools.Patch;

/// <summary>
/// Unified diffs of a file's text before and after an edit, for front ends to show (coloured in the TUI, in
/// <c>/diff</c>, in <c>--json</c> tool results). Lines are compared with Myers' O(ND) algorithm after trimming the
/// common head and tail, so a small edit in a large file costs little; an edit too large to diff cheaply is shown
/// as the whole changed region removed and re-added.
/// </summary>
internal static class UnifiedDiff
{
    private const int Context = 3;
    private const long MaxTraceCells = 20_000_000;

    private enum Op { Equal, Delete, Insert }

    /// <summary>The diff, or "" when the texts are equal. A null text stands for a missing file (/dev/null).</summary>
    public static string Create(string? before, string? after, string oldPath, string newPath)
    {
        if (before == after) return "";
        string[] a = SplitLines(before);
        string[] b = SplitLines(after);
        var ops = Diff(a, b);
        var sb = new StringBuilder();
        sb.Append("--- ").Append(before is null ? "/dev/null" : "a/" + oldPath).Append('\n');
        sb.Append("+++ ").Append(after is null ? "/dev/null" : "b/" + newPath).Append('\n');

        int i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Op == Op.Equal) { i++; continue; }
            // A hunk: back up to Context equal lines, run until Context*2 equal lines separate changes.
            int start = i;
            int back = 0;
            while (start > 0 && ops[start - 1].Op == Op.Equal && back < Context) { start--; back++; }
            int end = i;
            while (end < ops.Count)
            {
                if (ops[end].Op != Op.Equal) { end++; continue; }
                int run = 0;
                while (end + run < ops.Count && ops[end + run].Op == Op.Equal) run++;
                if (end + run >= ops.Count || run > Context * 2) { end += Math.Min(run, Context); break; }
                end += run;
            }
            int oldStart = ops[start].OldIndex, newStart = ops[start].NewIndex;
            int oldCount = 0, newCount = 0;
            for (int k = start; k < end; k++)
            {
                if (ops[k].Op != Op.Insert) oldCount++;
                if (ops[k].Op != Op.Delete) newCount++;
            }
            sb.Append("@@ -").Append(Range(oldStart, oldCount)).Append(" +").Append(Range(newStart, newCount)).Append(" @@\n");
            for (int k = start; k < end; k++)
            {
                sb.Append(ops[k].Op switch { Op.Equal => ' ', Op.Delete => '-', _ => '+' }).Append(ops[k].Line).Append('\n');
            }
            i = end;
        }
        return sb.ToString();
    }

    private static string Range(int startIndex, int count) =>
        count == 0 ? $"{startIndex},0" : count == 1 ? $"{startIndex + 1}" : $"{startIndex + 1},{count}";

    private static string[] SplitLines(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    private readonly record struct Edit(Op Op, string Line, int OldIndex, int NewIndex);

    private static List<Edit> Diff(string[] a, string[] b)
    {
        int prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix]) prefix++;
        int suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)]) suffix++;

        var edits = new List<Edit>(a.Length + b.Length);
        for (int i = 0; i < prefix; i++) edits.Add(new Edit(Op.Equal, a[i], i, i));
        var middle = Myers(a, b, prefix, a.Length - suffix, prefix, b.Length - suffix);
        edits.AddRange(middle);
        for (int i = 0; i < suffix; i++)
        {
            int ai = a.Length - suffix + i, bi = b.Length - suffix + i;
            edits.Add(new Edit(Op.Equal, a[ai], ai, bi));
        }
        return edits;
    }

    // Myers' greedy algorithm over a[aStart..aEnd) and b[bStart..bEnd), keeping each round's frontier to backtrack.
    private static List<Edit> Myers(string[] a, string[] b, int aStart, int aEnd, int bStart, int bEnd)
    {
        int n = aEnd - aStart, m = bEnd - bStart, max = n + m, offset = max + 1;
        var result = new List<Edit>();
        if (n == 0 && m == 0) return result;
        var trace = new List<int[]>();
        var v = new int[2 * max + 3];
        bool done = false;
        for (int d = 0; d <= max && !done; d++)
        {
            if ((long)(d + 1) * v.Length > MaxTraceCells) return ReplaceAll(a, b, aStart, aEnd, bStart, bEnd);
            trace.Add((int[])v.Clone());
            for (int k = -d; k <= d; k += 2)
            {
                int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a[aStart + x] == b[bStart + y]) { x++; y++; }
                v[offset + k] = x;
                if (x >= n && y >= m) { done = true; break; }
            }
        }

        int cx = n, cy = m;
        for (int d = trace.Count - 1; d >= 0; d--)
        {
            var tv = trace[d];
            int k = cx - cy;
            int prevK = k == -d || (k != d && tv[offset + k - 1] < tv[offset + k + 1]) ? k + 1 : k - 1;
            int prevX = d == 0 ? 0 : tv[offset + prevK];
            int prevY = d == 0 ? 0 : prevX - prevK;
            while (cx > prevX && cy > prevY)
            {
                cx--; cy--;
                result.Add(new Edit(Op.Equal, a[aStart + cx], aStart + cx, bStart + cy));
            }
            if (d > 0)
            {
                if (cx == prevX) { cy--; result.Add(new Edit(Op.Insert, b[bStart + cy], aStart + cx, bStart + cy)); }
                else { cx--; result.Add(new Edit(Op.Delete, a[aStart + cx], aStart + cx, bStart + cy)); }
            }
        }
        result.Reverse();
        return result;
    }

    private static List<Edit> ReplaceAll(string[] a, string[] b, int aStart, int aEnd, int bStart, int bEnd)
    {
        var result = new List<Edit>();
        for (int i = aStart; i < aEnd; i++) result.Add(new Edit(Op.Delete, a[i], i, bStart));
        for (int j = bStart; j < bEnd; j++) result.Add(new Edit(Op.Insert, b[j], aEnd, j));
        return result;
    }
}
