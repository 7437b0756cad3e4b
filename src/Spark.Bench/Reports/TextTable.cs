using System.Text;

namespace Spark.Bench.Reports;

/// <summary>A Markdown table with padded columns, readable in a terminal and pasteable into docs (as llama-bench prints).</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <summary>Columns named with a leading '>' are right-aligned (numbers).</summary>
    public TextTable(params string[] headers)
    {
        _rightAligned = headers.Select(h => h.StartsWith('>')).ToArray();
        _headers = headers.Select(h => h.TrimStart('>')).ToArray();
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length) throw new ArgumentException($"a row needs {_headers.Length} cells, got {cells.Length}");
        _rows.Add(cells);
    }

    public override string ToString()
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            sb.Append('|');
            for (int i = 0; i < cells.Count; i++)
                sb.Append(' ').Append(_rightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i])).Append(" |");
            sb.Append('\n');
        }
        Line(_headers);
        Line(widths.Select((w, i) => _rightAligned[i] ? new string('-', w - 1) + ":" : new string('-', w)).ToArray());
        foreach (var row in _rows) Line(row);
        return sb.ToString();
    }
}
