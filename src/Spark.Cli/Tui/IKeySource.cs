using System.Threading.Channels;

namespace Spark.Cli.Tui;

/// <summary>
/// Where the interactive agent's keystrokes come from: the terminal (<see cref="ConsoleKeySource"/>, its own thread, so
/// typing works while output streams), lines piped on stdin (<see cref="LineKeySource"/>), or a test's script.
/// </summary>
internal interface IKeySource
{
    /// <summary>The keys, in order; completed when the input ends (end of the piped input).</summary>
    ChannelReader<ConsoleKeyInfo> Keys { get; }

    /// <summary>
    /// True when keys are typed live (a terminal): typing while a turn runs steers it. False for piped lines, which are
    /// taken one at a time, each after the previous turn has finished.
    /// </summary>
    bool IsInteractive { get; }
}
