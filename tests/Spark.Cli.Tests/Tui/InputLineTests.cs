using Spark.Cli.Tui;

namespace Spark.Cli.Tests.Tui;

public class InputLineTests
{
    private static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0', bool control = false) => new(c, key, false, false, control);
    private static ConsoleKeyInfo Ctrl(char letter) => new((char)(letter - 'A' + 1), ConsoleKey.A + (letter - 'A'), false, false, true);
    private static readonly ConsoleKeyInfo Left = Key(ConsoleKey.LeftArrow), Right = Key(ConsoleKey.RightArrow),
        Home = Key(ConsoleKey.Home), End = Key(ConsoleKey.End), Up = Key(ConsoleKey.UpArrow), Down = Key(ConsoleKey.DownArrow),
        Backspace = Key(ConsoleKey.Backspace, '\b'), Delete = Key(ConsoleKey.Delete);

    /// <summary>Plays keys: a string is typed character by character, a ConsoleKeyInfo is pressed.</summary>
    private static InputLine Play(params object[] keys) => Play(new InputLine(), keys);

    private static InputLine Play(InputLine line, params object[] keys)
    {
        foreach (object k in keys)
        {
            if (k is string text)
                foreach (char c in text) Assert.True(line.Edit(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false)));
            else Assert.True(line.Edit((ConsoleKeyInfo)k), $"{((ConsoleKeyInfo)k).Key} was not taken as an editing key");
        }
        return line;
    }

    [Fact]
    public void Typing_AppendsAndTheCursorFollows()
    {
        var line = Play("hello");
        Assert.Equal("hello", line.Text);
        Assert.Equal(5, line.Cursor);
    }

    [Fact]
    public void LeftThenTyping_InsertsAtTheCursor()
    {
        var line = Play("helo", Left, "l");
        Assert.Equal("hello", line.Text);
        Assert.Equal(4, line.Cursor);
    }

    [Fact]
    public void LeftAndRight_StopAtTheEnds()
    {
        var line = Play("ab", Left, Left, Left, "x");
        Assert.Equal("xab", line.Text);
        Play(line, Right, Right, Right, Right, "y");
        Assert.Equal("xaby", line.Text);
    }

    [Fact]
    public void HomeEnd_AndCtrlACtrlE_JumpToTheEnds()
    {
        var line = Play("middle", Home, "[", End, "]");
        Assert.Equal("[middle]", line.Text);
        Play(line, Ctrl('A'), "<", Ctrl('E'), ">");
        Assert.Equal("<[middle]>", line.Text);
    }

    [Fact]
    public void CtrlBCtrlF_MoveLikeTheArrows()
    {
        var line = Play("ac", Ctrl('B'), "b", Ctrl('F'), "d");
        Assert.Equal("abcd", line.Text);
    }

    [Fact]
    public void Backspace_DeletesBeforeTheCursor_NotAtTheEnd()
    {
        var line = Play("abXc", Left, Backspace);
        Assert.Equal("abc", line.Text);
        Assert.Equal(2, line.Cursor);
        Play(line, Home, Backspace); // nothing before the cursor: nothing happens
        Assert.Equal("abc", line.Text);
        Assert.Equal(0, line.Cursor);
    }

    [Fact]
    public void Backspace_AsTheTerminalsDelCharacter_Works()
    {
        var line = Play("ab", new ConsoleKeyInfo((char)127, ConsoleKey.NoName, false, false, false));
        Assert.Equal("a", line.Text);
    }

    [Fact]
    public void Delete_AndCtrlD_DeleteAtTheCursor()
    {
        var line = Play("aXYb", Home, Right, Delete);
        Assert.Equal("aYb", line.Text);
        Assert.Equal(1, line.Cursor);
        Play(line, Ctrl('D'));
        Assert.Equal("ab", line.Text);
        Play(line, End, Delete); // nothing under the cursor at the end
        Assert.Equal("ab", line.Text);
    }

    [Fact]
    public void CtrlU_DeletesToTheStart_CtrlK_ToTheEnd()
    {
        var line = Play("one two three", Left, Left, Left, Left, Left, Left, Ctrl('K'));
        Assert.Equal("one two", line.Text);
        Play(line, Left, Left, Left, Ctrl('U'));
        Assert.Equal("two", line.Text);
        Assert.Equal(0, line.Cursor);
    }

    [Fact]
    public void CtrlW_DeletesTheWordBeforeTheCursor()
    {
        var line = Play("git commit  --amend", Ctrl('W'));
        Assert.Equal("git commit  ", line.Text);
        Play(line, Ctrl('W'));
        Assert.Equal("git ", line.Text);
        line = Play("alpha beta gamma", Left, Left, Left, Left, Left, Ctrl('W'));
        Assert.Equal("alpha gamma", line.Text);
        Assert.Equal(6, line.Cursor);
    }

    [Fact]
    public void UpAndDown_WalkTheSubmittedLines_LikeAShell()
    {
        var line = new InputLine();
        Play(line, "first");
        Assert.Equal("first", line.Take());
        Play(line, "second");
        line.Take();
        Play(line, Up);
        Assert.Equal("second", line.Text);
        Assert.Equal(6, line.Cursor); // the cursor at the end of a recalled line
        Play(line, Up);
        Assert.Equal("first", line.Text);
        Play(line, Up); // the oldest: it stays
        Assert.Equal("first", line.Text);
        Play(line, Down);
        Assert.Equal("second", line.Text);
        Play(line, Down); // past the newest: the (empty) new line
        Assert.Equal("", line.Text);
        Play(line, Down);
        Assert.Equal("", line.Text);
    }

    [Fact]
    public void Up_KeepsTheLineBeingTyped_DownBringsItBack()
    {
        var line = new InputLine();
        Play(line, "old");
        line.Take();
        Play(line, "half typ", Up);
        Assert.Equal("old", line.Text);
        Play(line, Down);
        Assert.Equal("half typ", line.Text);
    }

    [Fact]
    public void RecalledLine_CanBeEditedAndSent_AndGoesToTheHistory()
    {
        var line = new InputLine();
        Play(line, "run tests");
        line.Take();
        Play(line, Up, Home, Ctrl('F'), Ctrl('F'), Ctrl('F'), Ctrl('K'), " lint");
        Assert.Equal("run lint", line.Take());
        Play(line, Up);
        Assert.Equal("run lint", line.Text);
        Play(line, Up);
        Assert.Equal("run tests", line.Text);
    }

    [Fact]
    public void CtrlPCtrlN_WalkTheHistoryToo()
    {
        var line = new InputLine();
        Play(line, "a");
        line.Take();
        Play(line, "b");
        line.Take();
        Play(line, Ctrl('P'), Ctrl('P'));
        Assert.Equal("a", line.Text);
        Play(line, Ctrl('N'));
        Assert.Equal("b", line.Text);
    }

    [Fact]
    public void History_SkipsEmptyLinesAndRepeats()
    {
        var line = new InputLine();
        foreach (string text in new[] { "same", "same", "   ", "", "other", "same" })
        {
            Play(line, text);
            line.Take();
        }
        Assert.Equal(["same", "other", "same"], line.History);
    }

    [Fact]
    public void NonEditingKeys_AreLeftToTheController()
    {
        var line = Play("x");
        Assert.False(line.Edit(Key(ConsoleKey.Enter, '\r')));
        Assert.False(line.Edit(Key(ConsoleKey.Escape, '\u001b')));
        Assert.False(line.Edit(Key(ConsoleKey.F5)));
        Assert.Equal("x", line.Text);
    }

    [Fact]
    public void Insert_PutsTextAtTheCursor()
    {
        var line = Play("ad", Left);
        line.Insert("bc");
        Assert.Equal("abcd", line.Text);
        Assert.Equal(3, line.Cursor);
    }
}
