using System.CommandLine;
using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Cli.AgentHost;
using Spark.Cli.Exec;

namespace Spark.Cli.Commands;

/// <summary>
/// <c>spark exec "TASK"</c>: runs the agent non-interactively until the task is answered, against <c>--base-url</c>
/// or, without one, Spark's own server started in this process on a local model.
/// </summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("TASK") { Description = "What the agent should do." };
        var shared = new AgentCommandOptions("untrusted, on-request or never. exec has nobody to ask: calls needing approval are not run (the model is told) unless 'never'.");
        var json = new Option<bool>("--json") { Description = "Print one JSON event per line (session.started, turn.started, text.delta, tool.call, tool.result, turn.completed, error)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the session with this id (or id prefix); 'spark sessions' lists them." };
        var last = new Option<bool>("--last") { Description = "Continue the most recent session." };
        var command = new Command("exec", "Run the coding agent on a task non-interactively and print its final answer.") { task, json, resume, last };
        shared.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = shared.Read(parse, parse.GetValue(resume), parse.GetValue(last));
            return RunAsync(parse.GetValue(task)!, parse.GetValue(json), settings).GetAwaiter().GetResult();
        }));
        return command;
    }

    private static async Task<int> RunAsync(string task, bool json, AgentSettings s)
    {
        if (string.IsNullOrWhiteSpace(task)) throw new ArgumentException("TASK is empty; say what the agent should do, e.g. spark exec \"list the files\".");
        await using var runtime = await AgentRuntime.StartAsync(s, approver: null, Console.Error.WriteLine, CancellationToken.None).ConfigureAwait(false);
        var resumed = runtime.Resumed;
        var session = runtime.Session;
        var loop = runtime.Loop;
        string modelName = runtime.Model;
        var baseUri = runtime.BaseUri;

        using var jsonl = json ? new JsonlEventWriter(Console.OpenStandardOutput()) : null;
        var plain = new PlainEventWriter(Console.Out, Console.Error);
        Action<AgentEvent> onEvent = jsonl is not null ? jsonl.Write : plain.Write;
        if (jsonl is not null) jsonl.SessionStarted(session.Id, session.FilePath, modelName, baseUri.AbsoluteUri, runtime.Client.TransportName, resumed is not null);
        else if (resumed is not null)
            foreach (string line in SessionSummary.Lines(resumed)) Console.Error.WriteLine(line);
        else Console.Error.WriteLine($"session {session.Id} · model {modelName} · {baseUri} ({runtime.Client.TransportName}) · workspace {runtime.Workspace.Root}");
        foreach (string notice in runtime.Notices) onEvent(new AgentNotice(notice));

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            await loop.RunTurnAsync(task, onEvent, cancel.Token).ConfigureAwait(false);
            return CliErrors.Ok;
        }
        catch (Exception e) when (jsonl is not null && e is ResponsesApiException or AgentException)
        {
            jsonl.Error(e.Message);
            throw;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }
}
