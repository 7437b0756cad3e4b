using System.CommandLine;
using System.Text;
using Spark.Cli.Commands;

namespace Spark.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var root = new RootCommand("Spark: a fast local inference engine for GGUF models, and a coding agent on it. Without a command: the interactive agent in the current directory.");
        InteractiveCommand.Configure(root);
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(ExecCommand.Create());
        root.Subcommands.Add(SessionsCommand.Create());
        root.Subcommands.Add(InteractiveCommand.CreateResume());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(ChatTemplateCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'spark --help' (or 'spark COMMAND --help') for usage.");
            return CliErrors.BadInput;
        }
        return parsed.Invoke();
    }
}
