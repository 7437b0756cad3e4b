using System.Text;
using Spectre.Console;

namespace Spark.Cli.Tui;

/// <summary>One piece of a live line: plain text and the Spectre style it is shown in.</summary>
internal readonly record struct LiveSpan(string Text, string Style = "");

/// <summary>
/// The interactive agent's screen, drawn with Spectre.Console. Finished output (answers, tool calls, notes) scrolls up
/// like any terminal program's; below it a small live area — the answer's unfinished line, the status line and the
/// input line — is erased and redrawn in place whenever anything changes, so the user can type while the answer
/// streams. Live lines are cut to the terminal width so the area's height is always known. Without a terminal
/// (output piped) there is no live area: text streams as it comes, notes are plain lines, nothing uses escape codes.
/// All methods may be called from any thread.
/// </summary>
internal sealed class TerminalScreen
{
    private readonly Lock _lock = new();
    private readonly IAnsiConsole _console;
    private readonly TextWriter _out;
    private readonly Func<int> _width;
    private readonly MarkdownLines _markdown = new();
    private readonly StringBuilder _partial = new(); // the answer's line still being streamed
    private List<LiveSpan> _status = [];
    private List<LiveSpan> _input = [];
    private int? _inputCursor; // where the cursor stands in the input line's text (null: after its end)
    private int _liveRows;
    private bool _plainMidLine;

    /// <param name="output">Where the screen is written (the terminal's stdout).</param>
    /// <param name="isTerminal">True to draw the live area with ANSI escape codes; false for plain, piped output.</param>
    /// <param name="width">The terminal's width now (read at every redraw, so resizing works).</param>
    public TerminalScreen(TextWriter output, bool isTerminal, Func<int> width)
    {
        _out = output;
        _width = width;
        IsTerminal = isTerminal;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
    }

    public bool IsTerminal { get; }

    /// <summary>Writes finished lines (Spectre markup) above the live area.</summary>
    public void WriteLines(IEnumerable<string> markupLines)
    {
        lock (_lock)
        {
            EndPlainLine();
            EraseLive();
            _console.Profile.Width = Math.Max(20, _width());
            if (_partial.Length > 0)
            {
                // what streamed so far goes above the note, in the order it happened; the answer resumes on a new line
                _console.MarkupLine(MarkdownLines.Inline(_partial.ToString()));
                _partial.Clear();
            }
            foreach (string line in markupLines) _console.MarkupLine(line);
            DrawLive();
        }
    }

    public void WriteLine(string markupLine) => WriteLines([markupLine]);

    /// <summary>Adds streamed answer text: complete lines are formatted and written, the rest stays live.</summary>
    public void StreamText(string delta)
    {
        lock (_lock)
        {
            if (!IsTerminal)
            {
                _out.Write(delta);
                _out.Flush();
                _plainMidLine = !delta.EndsWith('\n');
                return;
            }
            _partial.Append(delta);
            var complete = new List<string>();
            int width = Math.Max(20, _width()) - 1;
            while (true)
            {
                string text = _partial.ToString();
                int newline = text.IndexOf('\n', StringComparison.Ordinal);
                if (newline >= 0)
                {
                    complete.Add(_markdown.Format(text[..newline].TrimEnd('\r')));
                    _partial.Remove(0, newline + 1);
                    continue;
                }
                if (text.Length > width)
                {
                    // wrap a long line at its last space (or hard at the width) so the live line stays one row
                    int cut = text.LastIndexOf(' ', width - 1);
                    if (cut <= 0) cut = width;
                    complete.Add(MarkdownLines.Inline(text[..cut]));
                    _partial.Remove(0, cut == width ? cut : cut + 1);
                    continue;
                }
                break;
            }
            EraseLive();
            foreach (string line in complete) _console.MarkupLine(line);
            DrawLive();
        }
    }

    /// <summary>The answer ended (or a tool call interrupts it): its last line is written out.</summary>
    public void EndText()
    {
        lock (_lock)
        {
            if (!IsTerminal)
            {
                EndPlainLine();
                return;
            }
            EraseLive();
            if (_partial.Length > 0) _console.MarkupLine(_markdown.Format(_partial.ToString()));
            _partial.Clear();
            _markdown.Reset();
            DrawLive();
        }
    }

    /// <summary>Replaces the status line (shown in the live area only).</summary>
    public void SetStatus(IEnumerable<LiveSpan> spans)
    {
        lock (_lock)
        {
            _status = [.. spans];
            Redraw();
        }
    }

    /// <summary>
    /// Replaces the input line (the prompt and what the user typed). The terminal's cursor is put at
    /// <paramref name="cursor"/> characters into the spans' text (null: after its end).
    /// </summary>
    public void SetInput(IEnumerable<LiveSpan> spans, int? cursor = null)
    {
        lock (_lock)
        {
            _input = [.. spans];
            _inputCursor = cursor;
            Redraw();
        }
    }

    /// <summary>Leaves the live area behind for good (on exit): it is erased and the cursor is on a fresh line.</summary>
    public void Close()
    {
        lock (_lock)
        {
            EndPlainLine();
            if (_partial.Length > 0) EndText();
            EraseLive();
            _status = [];
            _input = [];
            _out.Flush();
        }
    }

    private void Redraw()
    {
        if (!IsTerminal) return;
        EraseLive();
        DrawLive();
    }

    private void EndPlainLine()
    {
        if (IsTerminal || !_plainMidLine) return;
        _out.WriteLine();
        _plainMidLine = false;
    }

    private void EraseLive()
    {
        if (!IsTerminal || _liveRows == 0) return;
        _console.WriteAnsi("\r" + (_liveRows > 1 ? $"\u001b[{_liveRows - 1}A" : "") + "\u001b[J");
        _liveRows = 0;
    }

    private void DrawLive()
    {
        if (!IsTerminal)
        {
            _out.Flush();
            return;
        }
        int width = Math.Max(20, _width());
        _console.Profile.Width = width;
        var rows = new List<List<LiveSpan>>();
        if (_partial.Length > 0) rows.Add([new LiveSpan(_partial.ToString())]);
        if (_status.Count > 0) rows.Add(_status);
        if (_input.Count > 0) rows.Add(_input);
        var sb = new StringBuilder();
        int back = 0; // how far the cursor goes left from the end of the input line
        for (int i = 0; i < rows.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            if (ReferenceEquals(rows[i], _input)) sb.Append(FitInput(_input, width - 1, _inputCursor, out back));
            else sb.Append(Fit(rows[i], width - 1, skip: 0));
        }
        _console.Markup(sb.ToString());
        if (back > 0 && ReferenceEquals(rows[^1], _input)) _console.WriteAnsi($"\u001b[{back}D");
        _liveRows = rows.Count;
        _out.Flush();
    }

    /// <summary>
    /// The input line cut to <paramref name="width"/> around its cursor: the start is dropped (shown as …) as far as
    /// needed for the cursor to stay in view, the end beyond the width is cut. <paramref name="back"/> is how many
    /// visible characters follow the cursor.
    /// </summary>
    internal static string FitInput(List<LiveSpan> spans, int width, int? cursor, out int back)
    {
        int total = spans.Sum(s => s.Text.Length);
        int at = Math.Clamp(cursor ?? total, 0, total);
        // the cursor's cell must be on the row: at most width - 2 characters before it when the start is dropped
        int skip = at + 1 > width ? at - width + 2 : 0;
        string markup = Fit(spans, width, skip);
        int shown = Math.Min(total - skip, width - (skip > 0 ? 1 : 0));
        int visible = (skip > 0 ? 1 : 0) + shown; // what Fit wrote (its cut end ends in … in place of the last character)
        int column = (skip > 0 ? 1 : 0) + (at - skip);
        back = Math.Max(0, visible - column);
        return markup;
    }

    /// <summary>The spans as markup, cut to <paramref name="width"/> characters, after dropping the first <paramref name="skip"/> (shown as …).</summary>
    private static string Fit(List<LiveSpan> spans, int width, int skip)
    {
        int budget = width;
        var sb = new StringBuilder();
        if (skip > 0)
        {
            sb.Append('…');
            budget--;
        }
        foreach (var span in spans)
        {
            string text = span.Text.ReplaceLineEndings(" ");
            if (skip > 0)
            {
                int drop = Math.Min(skip, text.Length);
                text = text[drop..];
                skip -= drop;
            }
            if (text.Length > budget) text = budget > 1 ? text[..(budget - 1)] + "…" : "";
            budget -= text.Length;
            if (text.Length == 0) continue;
            sb.Append(span.Style.Length > 0 ? $"[{span.Style}]{Markup.Escape(text)}[/]" : Markup.Escape(text));
        }
        return sb.ToString();
    }
}
