using System.Text;
using System.Text.RegularExpressions;

namespace Spark.Agent.Tools.Search;

/// <summary>
/// Gitignore-style globs compiled to regular expressions: <c>*</c> and <c>?</c> never cross a '/', <c>[a-z]</c> and
/// <c>[!x]</c> are character classes, <c>**/</c> matches any number of leading folders, <c>/**</c> everything below,
/// <c>/**/</c> zero or more folders in between, and <c>\x</c> is a literal x.
/// </summary>
internal static class GlobPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>A regex matching a whole '/'-separated path against the glob.</summary>
    public static Regex Compile(string glob) =>
        new("^" + Translate(glob) + "$", RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary>The glob's regex body (no anchors).</summary>
    public static string Translate(string glob)
    {
        string[] segments = glob.Split('/');
        var sb = new StringBuilder();
        for (int i = 0; i < segments.Length; i++)
        {
            bool last = i == segments.Length - 1;
            if (segments[i] == "**")
            {
                if (last) sb.Append(".*");               // "a/**": everything inside a
                else sb.Append("(?:.*/)?");              // "**/b", "a/**/b": zero or more folders
                continue;
            }
            sb.Append(TranslateSegment(segments[i]));
            if (!last) sb.Append('/');
        }
        return sb.ToString();
    }

    /// <summary>Expands <c>{a,b}</c> alternatives (as ripgrep's --glob does): <c>*.{cs,md}</c> → <c>*.cs</c>, <c>*.md</c>.</summary>
    public static IEnumerable<string> ExpandBraces(string glob)
    {
        int open = glob.IndexOf('{', StringComparison.Ordinal);
        if (open < 0) { yield return glob; yield break; }
        int depth = 0, close = -1;
        for (int i = open; i < glob.Length && close < 0; i++)
        {
            if (glob[i] == '{') depth++;
            else if (glob[i] == '}' && --depth == 0) close = i;
        }
        if (close < 0) { yield return glob; yield break; }
        var options = new List<string>();
        int start = open + 1;
        depth = 0;
        for (int i = open + 1; i < close; i++)
        {
            if (glob[i] == '{') depth++;
            else if (glob[i] == '}') depth--;
            else if (glob[i] == ',' && depth == 0) { options.Add(glob[start..i]); start = i + 1; }
        }
        options.Add(glob[start..close]);
        foreach (string option in options)
            foreach (string expanded in ExpandBraces(glob[..open] + option + glob[(close + 1)..]))
                yield return expanded;
    }

    private static string TranslateSegment(string segment)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '\\' when i + 1 < segment.Length:
                    sb.Append(Regex.Escape(segment[++i].ToString()));
                    break;
                case '[':
                    int close = segment.IndexOf(']', i + 2 <= segment.Length ? i + 2 : segment.Length);
                    if (close < 0) { sb.Append("\\["); break; }
                    string body = segment[(i + 1)..close];
                    bool negate = body.StartsWith('!') || body.StartsWith('^');
                    if (negate) body = body[1..];
                    sb.Append('[').Append(negate ? "^/" : "").Append(body.Replace("\\", "\\\\", StringComparison.Ordinal)
                        .Replace("[", "\\[", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.ToString();
    }
}
