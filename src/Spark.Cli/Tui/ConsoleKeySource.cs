using System.Threading.Channels;

namespace Spark.Cli.Tui;

/// <summary>
/// Reads the terminal's keys on a dedicated background thread (<see cref="Console.ReadKey(bool)"/>, not echoed) into a
/// channel, so the controller sees each key at once even while the agent's output streams. Ctrl-C arrives as a key
/// (<see cref="Console.TreatControlCAsInput"/>), not as a signal, so the controller decides what it means.
/// </summary>
internal sealed class ConsoleKeySource : IKeySource
{
    private readonly Channel<ConsoleKeyInfo> _keys = Channel.CreateUnbounded<ConsoleKeyInfo>(new UnboundedChannelOptions { SingleReader = true });

    public ConsoleKeySource()
    {
        Console.TreatControlCAsInput = true;
        var thread = new Thread(ReadLoop) { IsBackground = true, Name = "spark-keys" };
        thread.Start();
    }

    public ChannelReader<ConsoleKeyInfo> Keys => _keys.Reader;

    public bool IsInteractive => true;

    private void ReadLoop()
    {
        try
        {
            while (true) _keys.Writer.TryWrite(Console.ReadKey(intercept: true));
        }
        catch (InvalidOperationException)
        {
            _keys.Writer.TryComplete(); // the terminal went away
        }
        catch (IOException)
        {
            _keys.Writer.TryComplete();
        }
    }
}
