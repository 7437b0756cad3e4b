using System.Text;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Spark.Cli.Tui;

/// <summary>
/// Turns the model's answer, one complete line at a time, into Spectre markup the way a terminal reader expects
/// markdown to look: headings bold, bullets as •, quotes dim, <c>`code`</c> and fenced blocks coloured, <c>**bold**</c>
/// bold. It keeps state between lines (inside a fence or not); everything else is escaped, never interpreted.
/// </summary>
internal sealed partial class MarkdownLines
{
    private bool _inFence;

    /// <summary>The markup for one line of the answer.</summary>
    public string Format(string line)
    {
        string trimmed = line.TrimStart();
        if (trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            _inFence = !_inFence;
            return $"[grey]{Markup.Escape(line)}[/]";
        }
        if (_inFence) return $"[khaki1]{Markup.Escape(line)}[/]";
        if (HeadingPattern().Match(line) is { Success: true } heading)
            return $"[bold underline]{Inline(heading.Groups[1].Value)}[/]";
        if (BulletPattern().Match(line) is { Success: true } bullet)
            return $"{bullet.Groups[1].Value}• {Inline(bullet.Groups[2].Value)}";
        if (trimmed.StartsWith("> ", StringComparison.Ordinal))
            return $"[grey italic]│ {Inline(trimmed[2..])}[/]";
        return Inline(line);
    }

    /// <summary>Resets the fence state (a new answer starts).</summary>
    public void Reset() => _inFence = false;

    /// <summary>Inline markdown: <c>`code`</c> and <c>**bold**</c>; the rest escaped.</summary>
    internal static string Inline(string text)
    {
        var sb = new StringBuilder();
        int at = 0;
        foreach (Match m in InlinePattern().Matches(text))
        {
            sb.Append(Markup.Escape(text[at..m.Index]));
            if (m.Groups["code"].Success) sb.Append("[cyan]").Append(Markup.Escape(m.Groups["code"].Value)).Append("[/]");
            else sb.Append("[bold]").Append(Markup.Escape(m.Groups["bold"].Value)).Append("[/]");
            at = m.Index + m.Length;
        }
        sb.Append(Markup.Escape(text[at..]));
        return sb.ToString();
    }

    [GeneratedRegex(@"^#{1,6}\s+(.*)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^(\s*)[-*+]\s+(.*)$")]
    private static partial Regex BulletPattern();

    [GeneratedRegex(@"`(?<code>[^`]+)`|\*\*(?<bold>[^*]+)\*\*")]
    private static partial Regex InlinePattern();
}
