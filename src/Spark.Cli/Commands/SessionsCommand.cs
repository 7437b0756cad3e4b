using System.CommandLine;
using Spark.Agent.Sessions;
using Spark.Cli.Exec;
using Spark.Engine.Models.Synthetic;

namespace Spark.Cli.Commands;

/// <summary><c>spark sessions</c>: the recorded agent sessions, newest first, to pick one for <c>spark resume</c> or <c>spark exec --resume</c>.</summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit", "-n") { Description = "How many sessions to show.", DefaultValueFactory = _ => 20 };
        var show = new Option<string?>("--show") { Description = "Print one session's conversation as a readable summary (an id, an id prefix, or 'last')." };
        var command = new Command("sessions", "List recorded agent sessions (id, time, working directory, model, last prompt).") { limit, show };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(limit) < 1) throw new ArgumentException("--limit must be at least 1");
            string root = Path.Join(DefaultModel.HomeDirectory, "sessions");
            if (parse.GetValue(show) is { } id)
            {
                var info = id == "last" ? SessionReader.Last(root) : SessionReader.Find(root, id);
                foreach (string line in SessionSummary.Lines(SessionReader.Read(info.FilePath))) Console.Out.WriteLine(line);
                Console.Out.WriteLine($"continue it with: spark resume {info.Id} (interactive), or spark exec --resume {info.Id} \"TASK\"");
                return CliErrors.Ok;
            }
            var sessions = SessionReader.List(root);
            if (sessions.Count == 0)
            {
                Console.Error.WriteLine($"No sessions yet under {root}; 'spark exec \"TASK\"' records one.");
                return CliErrors.Ok;
            }
            foreach (var session in sessions.Take(parse.GetValue(limit)))
            {
                string prompt = session.LastPrompt is null ? "(no prompt)" : OneLine(session.LastPrompt);
                Console.Out.WriteLine($"{session.Id}  {session.UpdatedAt.ToLocalTime():yyyy-MM-dd HH:mm}  {session.Model}  {session.Cwd}");
                Console.Out.WriteLine($"    {prompt}");
            }
            return CliErrors.Ok;
        }));
        return command;
    }

    private static string OneLine(string text)
    {
        string line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 100 ? line : line[..100] + "…";
    }
}
