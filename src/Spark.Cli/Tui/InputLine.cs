using System.Text;

namespace Spark.Cli.Tui;

/// <summary>
/// The line the user is typing, edited like a shell's: a cursor (Left/Right, Home/End, Ctrl-A/Ctrl-E, Ctrl-B/Ctrl-F),
/// Backspace and Delete at the cursor (Ctrl-D deletes too when the line is not empty), Ctrl-U and Ctrl-K (delete to
/// the start / the end), Ctrl-W (the word before the cursor), and Up/Down (Ctrl-P/Ctrl-N) through this session's
/// submitted lines. Leaving the line being typed for the history keeps it: Down past the newest entry brings it back.
/// Not thread-safe: the controller calls it under its lock.
/// </summary>
internal sealed class InputLine
{
    private readonly StringBuilder _text = new();
    private readonly List<string> _history = [];
    private int _historyIndex; // == _history.Count while editing the new line, else the entry shown
    private string _draft = ""; // the new line, kept while the history is shown

    public string Text => _text.ToString();

    /// <summary>Where the cursor is: the number of characters before it (0 … Text.Length).</summary>
    public int Cursor { get; private set; }

    public bool IsEmpty => _text.Length == 0;

    /// <summary>The lines submitted so far, oldest first (consecutive repeats once).</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>Applies an editing key; false when the key is not an editing key (Enter, Esc, Ctrl-C … are the controller's).</summary>
    public bool Edit(ConsoleKeyInfo key)
    {
        bool ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
        switch (key.Key)
        {
            case ConsoleKey.LeftArrow:
                Cursor = Math.Max(0, Cursor - 1);
                return true;
            case ConsoleKey.RightArrow:
                Cursor = Math.Min(_text.Length, Cursor + 1);
                return true;
            case ConsoleKey.Home:
                Cursor = 0;
                return true;
            case ConsoleKey.End:
                Cursor = _text.Length;
                return true;
            case ConsoleKey.UpArrow:
                return Recall(-1);
            case ConsoleKey.DownArrow:
                return Recall(+1);
            case ConsoleKey.Delete:
                DeleteAtCursor();
                return true;
            case ConsoleKey.Backspace:
                DeleteBeforeCursor();
                return true;
        }
        // Control keys arrive as their control character (a terminal) or as the letter with the Control modifier
        char control = key.KeyChar is >= '\u0001' and <= '\u001a' ? key.KeyChar
            : ctrl && key.Key is >= ConsoleKey.A and <= ConsoleKey.Z ? (char)(key.Key - ConsoleKey.A + 1)
            : '\0';
        switch (control)
        {
            case '\u0001': // Ctrl-A
                Cursor = 0;
                return true;
            case '\u0005': // Ctrl-E
                Cursor = _text.Length;
                return true;
            case '\u0002': // Ctrl-B
                Cursor = Math.Max(0, Cursor - 1);
                return true;
            case '\u0006': // Ctrl-F
                Cursor = Math.Min(_text.Length, Cursor + 1);
                return true;
            case '\u0004': // Ctrl-D (on an empty line it is the controller's: quit)
                DeleteAtCursor();
                return true;
            case '\b': // Ctrl-H: a terminal's Backspace
                DeleteBeforeCursor();
                return true;
            case '\u0015': // Ctrl-U
                _text.Remove(0, Cursor);
                Cursor = 0;
                return true;
            case '\u000b': // Ctrl-K
                _text.Length = Cursor;
                return true;
            case '\u0017': // Ctrl-W
                DeleteWordBeforeCursor();
                return true;
            case '\u0010': // Ctrl-P
                return Recall(-1);
            case '\u000e': // Ctrl-N
                return Recall(+1);
            case '\t':
                Insert(" ");
                return true;
        }
        if (key.KeyChar == (char)127)
        {
            DeleteBeforeCursor();
            return true;
        }
        if (key.KeyChar >= ' ' && !ctrl)
        {
            Insert(key.KeyChar.ToString());
            return true;
        }
        return false;
    }

    /// <summary>Inserts text at the cursor (the cursor moves past it).</summary>
    public void Insert(string text)
    {
        _text.Insert(Cursor, text);
        Cursor += text.Length;
    }

    /// <summary>The text, and the line is cleared; a non-empty line is added to the history (not twice in a row).</summary>
    public string Take()
    {
        string text = Text;
        if (text.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != text)) _history.Add(text);
        _historyIndex = _history.Count;
        _draft = "";
        Clear();
        return text;
    }

    /// <summary>Empties the line (the history is kept; the next Up starts from the newest entry).</summary>
    public void Clear()
    {
        _text.Clear();
        Cursor = 0;
        _historyIndex = _history.Count;
        _draft = "";
    }

    private bool Recall(int step)
    {
        int target = _historyIndex + step;
        if (target < 0 || target > _history.Count) return true; // at either end: nothing changes, the key is still used
        if (_historyIndex == _history.Count) _draft = Text;
        _historyIndex = target;
        Replace(target == _history.Count ? _draft : _history[target]);
        return true;
    }

    private void Replace(string text)
    {
        _text.Clear().Append(text);
        Cursor = text.Length;
    }

    private void DeleteBeforeCursor()
    {
        if (Cursor == 0) return;
        _text.Remove(--Cursor, 1);
    }

    private void DeleteAtCursor()
    {
        if (Cursor < _text.Length) _text.Remove(Cursor, 1);
    }

    private void DeleteWordBeforeCursor()
    {
        int start = Cursor;
        while (start > 0 && _text[start - 1] == ' ') start--;
        while (start > 0 && _text[start - 1] != ' ') start--;
        _text.Remove(start, Cursor - start);
        Cursor = start;
    }
}
