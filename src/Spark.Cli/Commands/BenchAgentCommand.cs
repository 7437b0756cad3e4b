using System.CommandLine;
using System.Globalization;
using Spark.Bench.Agent;

namespace Spark.Cli.Commands;

/// <summary>
/// <c>spark bench agent --suite DIR</c>: runs the coding agent (<c>spark exec --json</c> as a child process, so each
/// task gets exactly what a user's exec gets) on every task of a suite and reports pass/fail and where the time went.
/// </summary>
internal static class BenchAgentCommand
{
    public static Command Create()
    {
        var suite = new Option<string>("--suite") { Description = "A folder of task folders (each with task.toml, setup and check), e.g. bench/tasks.", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "With --url: the model name. Without: a GGUF file to serve (default: Spark's built-in synthetic model)." };
        var url = new Option<string?>("--url") { Description = "A Responses API server, e.g. http://127.0.0.1:8080/v1 (default: each exec starts Spark's server in-process)." };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "With --url: the environment variable holding the API key." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for report.json, report.md and agent-durations.svg.", DefaultValueFactory = _ => "bench-out/agent" };
        var only = new Option<string[]>("--task") { Description = "Run only these tasks (folder names; repeatable).", AllowMultipleArgumentsPerToken = true };
        var keep = new Option<bool>("--keep-workspaces") { Description = "Leave each task's temporary workspace behind (its path is printed) to see what the agent did." };
        var ctx = new Option<int?>("--ctx") { Description = "Without --url: the in-process server's context length." };
        var command = new Command("agent",
            "Run the coding agent on a suite of tasks (each in a fresh workspace through spark exec) and report pass/fail and "
            + "the time split into prefill, generation, tool execution and network; writes report.json, report.md and a chart.")
        {
            suite, model, url, apiKeyEnv, output, only, keep, ctx,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var tasks = AgentSuite.Load(parse.GetValue(suite)!);
            if (parse.GetValue(only) is { Length: > 0 } names)
            {
                foreach (string name in names)
                    if (!tasks.Any(t => t.Name == name))
                        throw new ArgumentException($"--task {name}: no such task in the suite; it has {string.Join(", ", tasks.Select(t => t.Name))}");
                tasks = tasks.Where(t => names.Contains(t.Name)).ToArray();
            }
            var exec = new List<string> { "exec", "--json", "--ask-for-approval", "never" };
            string agent;
            string? urlValue = parse.GetValue(url), modelValue = parse.GetValue(model);
            if (urlValue is not null)
            {
                if (!Uri.TryCreate(urlValue, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                    throw new ArgumentException($"--url must be an http:// or https:// URL like http://127.0.0.1:8080/v1; got '{urlValue}'");
                if (modelValue is null) throw new ArgumentException("--model is required with --url (the name the server knows the model by)");
                exec.AddRange(["--base-url", urlValue, "--model", modelValue]);
                if (parse.GetValue(apiKeyEnv) is { } variable) exec.AddRange(["--api-key-env", variable]);
                agent = $"{urlValue} ({modelValue})";
            }
            else
            {
                if (parse.GetValue(apiKeyEnv) is not null) throw new ArgumentException("--api-key-env needs --url (the in-process server has no key)");
                if (modelValue is not null)
                {
                    if (!File.Exists(modelValue)) throw new FileNotFoundException($"--model {modelValue}: no such GGUF file (without --url, --model is a file to serve)");
                    modelValue = Path.GetFullPath(modelValue);
                    exec.AddRange(["--model", modelValue]);
                }
                if (parse.GetValue(ctx) is { } context) exec.AddRange(["--ctx", context.ToString(CultureInfo.InvariantCulture)]);
                agent = modelValue is null ? "the built-in synthetic model (in-process)" : $"{Path.GetFileName(modelValue)} (in-process)";
            }
            return RunAsync(tasks, Launcher(exec), agent, parse.GetValue(suite)!, parse.GetValue(output)!, parse.GetValue(keep)).GetAwaiter().GetResult();
        }));
        return command;
    }

    /// <summary>This very spark, started again: the apphost directly, or <c>dotnet spark.dll</c> under <c>dotnet run</c>/<c>dotnet spark.dll</c>.</summary>
    private static AgentLauncher Launcher(IReadOnlyList<string> exec)
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running, so spark exec cannot be started");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            return new AgentLauncher(process, [typeof(BenchAgentCommand).Assembly.Location, .. exec]);
        return new AgentLauncher(process, exec);
    }

    private static async Task<int> RunAsync(IReadOnlyList<AgentTask> tasks, AgentLauncher launcher, string agent, string suite, string outDir, bool keep)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var runner = new AgentTaskRunner(launcher, keep);
            var results = new List<AgentTaskResult>();
            for (int i = 0; i < tasks.Count; i++)
            {
                var task = tasks[i];
                Console.Error.Write($"[{i + 1}/{tasks.Count}] {task.Name} (timeout {task.TimeoutSeconds} s) … ");
                var result = await runner.RunAsync(task, cancel.Token).ConfigureAwait(false);
                results.Add(result);
                Console.Error.WriteLine($"{result.OutcomeName} in {result.AgentMs / 1000:F1} s");
                if (keep && result.Workspace is { } workspace) Console.Error.WriteLine($"    workspace kept: {workspace}");
            }
            var report = new AgentBenchReport(suite, agent, results, DateTimeOffset.UtcNow);
            Console.Out.Write(report.Table());
            var files = report.WriteTo(Path.GetFullPath(outDir));
            Console.Out.WriteLine($"wrote {string.Join(", ", files)}");
            return CliErrors.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
