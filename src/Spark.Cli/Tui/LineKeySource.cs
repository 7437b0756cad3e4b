using System.Threading.Channels;

namespace Spark.Cli.Tui;

/// <summary>
/// Input that is not a terminal (a pipe, a file): each line becomes its characters and Enter, so the same controller
/// handles it; the end of the input ends the session once the last turn is done.
/// </summary>
internal sealed class LineKeySource : IKeySource
{
    private readonly Channel<ConsoleKeyInfo> _keys = Channel.CreateUnbounded<ConsoleKeyInfo>(new UnboundedChannelOptions { SingleReader = true });

    public LineKeySource(TextReader input)
    {
        var thread = new Thread(() => ReadLoop(input)) { IsBackground = true, Name = "spark-lines" };
        thread.Start();
    }

    public ChannelReader<ConsoleKeyInfo> Keys => _keys.Reader;

    public bool IsInteractive => false;

    private void ReadLoop(TextReader input)
    {
        try
        {
            while (input.ReadLine() is { } line)
            {
                foreach (char c in line) _keys.Writer.TryWrite(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false));
                _keys.Writer.TryWrite(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false));
            }
        }
        catch (IOException)
        {
            // the input broke: treat it as its end
        }
        _keys.Writer.TryComplete();
    }
}
