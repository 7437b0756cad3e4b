using System.Text;

namespace Spark.Cli.Tui;

/// <summary>The line the user is typing: printable characters, Backspace, Ctrl-U (clear), Ctrl-W (delete a word).</summary>
internal sealed class InputLine
{
    private readonly StringBuilder _text = new();

    public string Text => _text.ToString();

    public bool IsEmpty => _text.Length == 0;

    /// <summary>Applies an editing key; false when the key is not an editing key (Enter, Esc, Ctrl-C … are the controller's).</summary>
    public bool Edit(ConsoleKeyInfo key)
    {
        if (key.Key == ConsoleKey.Backspace || key.KeyChar == '\b' || key.KeyChar == (char)127)
        {
            if (_text.Length > 0) _text.Length--;
            return true;
        }
        if ((key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key == ConsoleKey.U || key.KeyChar == '\u0015')
        {
            _text.Clear();
            return true;
        }
        if ((key.Modifiers & ConsoleModifiers.Control) != 0 && key.Key == ConsoleKey.W || key.KeyChar == '\u0017')
        {
            string trimmed = Text.TrimEnd();
            int cut = trimmed.LastIndexOf(' ');
            _text.Length = cut < 0 ? 0 : cut + 1;
            return true;
        }
        if (key.KeyChar == '\t')
        {
            _text.Append(' ');
            return true;
        }
        if (key.KeyChar >= ' ' && key.KeyChar != (char)127 && (key.Modifiers & ConsoleModifiers.Control) == 0)
        {
            _text.Append(key.KeyChar);
            return true;
        }
        return false;
    }

    /// <summary>The text, and the line is cleared.</summary>
    public string Take()
    {
        string text = Text;
        _text.Clear();
        return text;
    }

    public void Clear() => _text.Clear();
}
