using System.Text.Json;
using Spark.Agent.Loop;
using Spark.Agent.Tools;
using Spectre.Console;

namespace Spark.Cli.Tui;

/// <summary>
/// How a tool call looks on screen: a one-line header naming the tool and its main argument, then its result folded to
/// its first and last lines (the model saw it all; the user needs the gist), and apply_patch edits as coloured diffs.
/// </summary>
internal static class ToolCallView
{
    /// <summary>Output lines shown from the top and bottom of a folded result.</summary>
    public const int HeadLines = 4, TailLines = 2;

    /// <summary>Diff lines shown per file before the rest is folded.</summary>
    public const int DiffLines = 40;

    /// <summary>The header line of a call, e.g. <c>• shell  ls -la</c>.</summary>
    public static string Header(ToolCallRequested call)
    {
        string detail = Summary(call.Name, call.Arguments);
        return $"[bold blue]•[/] [bold]{Markup.Escape(call.Name)}[/]" + (detail.Length > 0 ? "  " + Markup.Escape(detail) : "");
    }

    /// <summary>The lines under a finished call: status, duration, then the folded output or the coloured diffs.</summary>
    public static IEnumerable<string> Result(ToolCallFinished done)
    {
        string status = done.Approval switch
        {
            "denied" => "[red]denied[/]",
            "not_approved" => "[yellow]not approved[/]",
            _ => done.IsError ? "[red]failed[/]" : "[green]ok[/]",
        };
        yield return $"  [grey]└[/] {status} [grey]({done.Duration.TotalSeconds:0.00}s)[/]";
        if (done.FileChanges is { Count: > 0 } changes)
        {
            foreach (var change in changes)
            {
                string kind = change.Kind switch
                {
                    FileChangeKind.Added => "[green]added[/]",
                    FileChangeKind.Deleted => "[red]deleted[/]",
                    FileChangeKind.Moved => "[yellow]moved[/]",
                    _ => "[yellow]modified[/]",
                };
                yield return $"    {kind} {Markup.Escape(change.Path)}" + (change.MovedTo is { } to ? " → " + Markup.Escape(to) : "");
                foreach (string line in Diff(change.Diff)) yield return "    " + line;
            }
            yield break;
        }
        foreach (string line in Fold(done.Output)) yield return "    " + line;
    }

    /// <summary>A unified diff, coloured: additions green, removals red, hunk headers cyan; long diffs folded.</summary>
    public static IEnumerable<string> Diff(string diff)
    {
        var lines = Lines(diff);
        for (int i = 0; i < lines.Count && i < DiffLines; i++)
        {
            string line = lines[i], text = Markup.Escape(line);
            yield return line switch
            {
                _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => $"[bold]{text}[/]",
                _ when line.StartsWith('+') => $"[green]{text}[/]",
                _ when line.StartsWith('-') => $"[red]{text}[/]",
                _ when line.StartsWith("@@", StringComparison.Ordinal) => $"[cyan]{text}[/]",
                _ => $"[grey]{text}[/]",
            };
        }
        if (lines.Count > DiffLines) yield return $"[grey italic]… {lines.Count - DiffLines} more diff lines[/]";
    }

    /// <summary>The first <see cref="HeadLines"/> and last <see cref="TailLines"/> lines, with a marker for what is hidden.</summary>
    public static IEnumerable<string> Fold(string output)
    {
        var lines = Lines(output);
        if (lines.Count <= HeadLines + TailLines + 1)
        {
            foreach (string line in lines) yield return $"[grey]{Markup.Escape(line)}[/]";
            yield break;
        }
        foreach (string line in lines.Take(HeadLines)) yield return $"[grey]{Markup.Escape(line)}[/]";
        yield return $"[grey italic]… {lines.Count - HeadLines - TailLines} more lines …[/]";
        foreach (string line in lines.Skip(lines.Count - TailLines)) yield return $"[grey]{Markup.Escape(line)}[/]";
    }

    /// <summary>The argument worth showing in the header: the command, the path, the pattern, the patch's files.</summary>
    internal static string Summary(string tool, string argumentsJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(argumentsJson);
            var args = doc.RootElement;
            string? Get(string name) => args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            string text = tool switch
            {
                "shell" => Get("command") + (Get("workdir") is { } wd ? $"  (in {wd})" : ""),
                "apply_patch" => string.Join(", ", Lines(Get("input") ?? "")
                    .Where(l => l.StartsWith("*** ", StringComparison.Ordinal) && l.Contains("File: ", StringComparison.Ordinal))
                    .Select(l => l[4..])),
                "read_file" or "list_dir" => Get("path") ?? "",
                "grep" => Get("pattern") + (Get("path") is { } p ? $"  in {p}" : "") + (Get("glob") is { } g ? $"  ({g})" : ""),
                "update_plan" => "",
                _ => argumentsJson,
            };
            return OneLine(text);
        }
        catch (JsonException)
        {
            return OneLine(argumentsJson);
        }
    }

    private static string OneLine(string text)
    {
        string line = text.ReplaceLineEndings(" ⏎ ").Trim();
        return line.Length <= 160 ? line : line[..160] + "…";
    }

    private static List<string> Lines(string text) =>
        text.Length == 0 ? [] : [.. text.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r'))];
}
