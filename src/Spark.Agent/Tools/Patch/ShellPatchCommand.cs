using System.Text.RegularExpressions;
using Spark.Agent.Policy;

namespace Spark.Agent.Tools.Patch;

/// <summary>
/// Recognises a patch sent through the shell tool, as Codex-trained models often do:
/// <c>apply_patch &lt;&lt;'EOF' … EOF</c>, <c>apply_patch '*** Begin Patch …'</c>, optionally behind
/// <c>cd DIR &amp;&amp;</c>. There is no apply_patch program to run, so such a command is applied by the
/// apply_patch tool itself instead (same checks, same atomicity).
/// </summary>
internal static partial class ShellPatchCommand
{
    /// <summary>The patch text and the directory its paths are relative to (null: the shell's workdir).</summary>
    public static bool TryParse(string command, out string patch, out string? directory)
    {
        var heredoc = Heredoc().Match(command);
        if (heredoc.Success)
        {
            patch = heredoc.Groups["body"].Value;
            directory = heredoc.Groups["dir"].Success ? Unquote(heredoc.Groups["dir"].Value) : null;
            return true;
        }
        var parsed = ShellCommandParser.Parse(command);
        if (parsed.IsPlain && parsed.Commands.Count is 1 or 2)
        {
            var last = parsed.Commands[^1].Argv;
            var first = parsed.Commands[0].Argv;
            bool cdFirst = parsed.Commands.Count == 2 && first.Count == 2 && first[0] == "cd";
            if (last.Count == 2 && last[0] is "apply_patch" or "applypatch" && (parsed.Commands.Count == 1 || cdFirst))
            {
                patch = last[1];
                directory = cdFirst ? first[1] : null;
                return true;
            }
        }
        patch = "";
        directory = null;
        return false;
    }

    private static string Unquote(string word) =>
        word.Length >= 2 && (word[0] == '\'' || word[0] == '"') && word[^1] == word[0] ? word[1..^1] : word;

    [GeneratedRegex("""^\s*(?:cd\s+(?<dir>'[^']*'|"[^"]*"|\S+)\s*&&\s*)?(?:apply_patch|applypatch)\s*<<-?\s*(?<q>['"]?)(?<tag>\w+)\k<q>[ \t]*\r?\n(?<body>.*?)\r?\n\s*\k<tag>\s*$""", RegexOptions.Singleline)]
    private static partial Regex Heredoc();
}
