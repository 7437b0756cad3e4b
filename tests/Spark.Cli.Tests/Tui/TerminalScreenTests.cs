using Spark.Cli.Tui;

namespace Spark.Cli.Tests.Tui;

public class TerminalScreenTests
{
    private static List<LiveSpan> Line(string text) => [new LiveSpan("› "), new LiveSpan(text)];

    [Fact]
    public void FitInput_ShortLine_CursorInTheMiddle_GoesBackByTheCharactersAfterIt()
    {
        string markup = TerminalScreen.FitInput(Line("hello"), 40, cursor: 2 + 3, out int back);
        Assert.Equal("› hello", markup);
        Assert.Equal(2, back);
    }

    [Fact]
    public void FitInput_CursorAtTheEnd_StaysThere()
    {
        TerminalScreen.FitInput(Line("hello"), 40, cursor: null, out int back);
        Assert.Equal(0, back);
    }

    [Fact]
    public void FitInput_LongLine_CursorAtTheEnd_DropsTheStart()
    {
        string text = new string('a', 30) + "END";
        string markup = TerminalScreen.FitInput(Line(text), 20, cursor: null, out int back);
        Assert.StartsWith("…", markup);
        Assert.EndsWith("END", markup);
        Assert.Equal(19, markup.Length); // one cell is left for the cursor
        Assert.Equal(0, back);
    }

    [Fact]
    public void FitInput_LongLine_CursorAtTheStart_KeepsTheStartInView_AndCutsTheEnd()
    {
        string text = "START" + new string('b', 40);
        string markup = TerminalScreen.FitInput(Line(text), 20, cursor: 2, out int back);
        Assert.StartsWith("› START", markup);
        Assert.EndsWith("…", markup);
        Assert.Equal(20, markup.Length);
        Assert.Equal(18, back); // from the end of the row back to just after the prompt
    }

    [Fact]
    public void FitInput_LongLine_CursorInTheMiddle_IsAlwaysOnTheRow()
    {
        string text = string.Concat(Enumerable.Range(0, 100).Select(i => (char)('a' + i % 26)));
        for (int cursor = 0; cursor <= text.Length + 2; cursor++)
        {
            string markup = TerminalScreen.FitInput(Line(text), 20, cursor, out int back);
            Assert.True(markup.Length <= 20, markup);
            int column = markup.Length - back;
            Assert.InRange(column, 0, 19);
            if (cursor > 2 && cursor < text.Length + 2) // the character before the cursor is the one typed last
                Assert.Equal(text[cursor - 3], markup[column - 1]);
        }
    }

    [Fact]
    public void SetInput_OnATerminal_MovesTheCursorLeftToItsPlace()
    {
        var output = new StringWriter();
        var screen = new TerminalScreen(output, isTerminal: true, () => 80);
        screen.SetInput(Line("abcdef"), cursor: 2 + 4);
        Assert.EndsWith("ef\u001b[2D", output.ToString());
        screen.SetInput(Line("abcdef"));
        Assert.EndsWith("abcdef", output.ToString());
    }
}
