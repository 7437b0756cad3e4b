using System.CommandLine;
using Microsoft.Extensions.Logging;
using Spark.Cli.AgentHost;
using Spark.Cli.Tui;
using Spectre.Console;

namespace Spark.Cli.Commands;

/// <summary>
/// <c>spark</c> with no subcommand: the interactive coding agent in the current directory; <c>spark resume [ID|--last]</c>
/// continues a recorded session in it. Both take the agent flags <c>spark exec</c> takes.
/// </summary>
internal static class InteractiveCommand
{
    private const string ApprovalHelp = "untrusted, on-request or never: when the agent asks before running a command or editing a file.";

    /// <summary>Makes <paramref name="root"/> (no subcommand) start the interactive agent.</summary>
    public static void Configure(RootCommand root)
    {
        var shared = new AgentCommandOptions(ApprovalHelp);
        shared.AddTo(root);
        root.SetAction(parse => CliErrors.Run(() => RunAsync(shared.Read(parse)).GetAwaiter().GetResult()));
    }

    /// <summary><c>spark resume [ID] [--last]</c>.</summary>
    public static Command CreateResume()
    {
        var id = new Argument<string?>("ID") { Description = "The session id (or a prefix); 'spark sessions' lists them. Without it: --last.", Arity = ArgumentArity.ZeroOrOne };
        var last = new Option<bool>("--last") { Description = "Continue the most recent session." };
        var shared = new AgentCommandOptions(ApprovalHelp);
        var command = new Command("resume", "Continue a recorded agent session interactively: its history is restored and summarised.") { id, last };
        shared.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string? which = parse.GetValue(id);
            bool useLast = parse.GetValue(last);
            if (which is not null && useLast) throw new ArgumentException("spark resume takes an ID or --last, not both.");
            return RunAsync(shared.Read(parse, which, last: which is null)).GetAwaiter().GetResult();
        }));
        return command;
    }

    private static async Task<int> RunAsync(AgentSettings settings)
    {
        bool terminalOut = !Console.IsOutputRedirected;
        // piped output is not wrapped: whatever reads it wraps (or not) itself
        var screen = new TerminalScreen(Console.Out, terminalOut, terminalOut ? TerminalWidth : () => 1000);
        TuiController? controller = null;
        await using var runtime = await AgentRuntime.StartAsync(
            settings,
            (call, ask, cancel) => controller!.AskApprovalAsync(call, ask, cancel),
            note => screen.WriteLine($"[grey]{Markup.Escape(note)}[/]"),
            CancellationToken.None,
            // on a terminal the in-process server's log lines would tear the screen: problems reach the user as errors
            serverLogging: terminalOut ? l => l.SetMinimumLevel(LogLevel.None) : null).ConfigureAwait(false);
        IKeySource keys = Console.IsInputRedirected ? new LineKeySource(Console.In) : new ConsoleKeySource();
        controller = new TuiController(runtime, screen, keys);
        try
        {
            await controller.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (keys is ConsoleKeySource) Console.TreatControlCAsInput = false;
        }
        return CliErrors.Ok;
    }

    private static int TerminalWidth()
    {
        try
        {
            int width = Console.WindowWidth;
            return width > 0 ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
