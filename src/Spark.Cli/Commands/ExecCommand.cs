using System.CommandLine;
using Microsoft.Extensions.Logging;
using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Agent.Sessions;
using Spark.Agent.Tools;
using Spark.Cli.Exec;
using Spark.Cli.Hosting;
using Spark.Engine.Inference;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Hosting;

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
        var baseUrl = new Option<string?>("--base-url") { Description = "A Responses API to use, e.g. http://127.0.0.1:8080/v1 (default: start Spark's server in-process on a local model)." };
        var model = new Option<string?>("--model", "-m") { Description = "With --base-url: the model name to request. Without: a GGUF file to serve (default: Spark's built-in synthetic model)." };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "The environment variable holding the API key, sent as 'Authorization: Bearer KEY'." };
        var transport = new Option<string>("--transport") { Description = "auto, http or ws: auto opens one WebSocket for the session (prewarm, steering) and falls back to HTTP/SSE when the server refuses the upgrade.", DefaultValueFactory = _ => "auto" };
        var approval = new Option<string>("--ask-for-approval", "-a") { Description = "untrusted, on-request or never. exec has nobody to ask: calls needing approval are not run (the model is told) unless 'never'.", DefaultValueFactory = _ => "on-request" };
        var sandbox = new Option<string>("--sandbox", "-s") { Description = "read-only, workspace-write or danger-full-access.", DefaultValueFactory = _ => "workspace-write" };
        var cd = new Option<string?>("--cd", "-C") { Description = "The workspace folder (default: the current directory, or the resumed session's)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON event per line (session.started, turn.started, text.delta, tool.call, tool.result, turn.completed, error)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the session with this id (or id prefix); 'spark sessions' lists them." };
        var last = new Option<bool>("--last") { Description = "Continue the most recent session." };
        var maxOutput = new Option<int?>("--max-output-tokens") { Description = "Most tokens per model response (default: the server's)." };
        var maxRequests = new Option<int>("--max-requests") { Description = "Most model requests the task may take.", DefaultValueFactory = _ => new AgentLoopOptions().MaxModelRequests };
        var threads = new Option<int?>("--threads", "-t") { Description = "In-process server only: worker threads (default: all cores)." };
        var ctx = new Option<int?>("--ctx") { Description = "In-process server only: context length in tokens." };
        var command = new Command("exec", "Run the coding agent on a task non-interactively and print its final answer.")
        {
            task, baseUrl, model, apiKeyEnv, transport, approval, sandbox, cd, json, resume, last, maxOutput, maxRequests, threads, ctx,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = new ExecSettings
            {
                Task = parse.GetValue(task)!,
                BaseUrl = parse.GetValue(baseUrl),
                Model = parse.GetValue(model),
                ApiKeyEnv = parse.GetValue(apiKeyEnv),
                Transport = ClientTransports.Parse(parse.GetValue(transport)!),
                Approval = ApprovalModes.Parse(parse.GetValue(approval)!),
                Sandbox = SandboxModes.Parse(parse.GetValue(sandbox)!),
                Cd = parse.GetValue(cd),
                Json = parse.GetValue(json),
                Resume = parse.GetValue(resume),
                Last = parse.GetValue(last),
                MaxOutputTokens = parse.GetValue(maxOutput),
                MaxRequests = parse.GetValue(maxRequests),
                Load = new ModelLoadOptions { Threads = parse.GetValue(threads), ContextLength = parse.GetValue(ctx) },
            };
            return RunAsync(settings).GetAwaiter().GetResult();
        }));
        return command;
    }

    private sealed record ExecSettings
    {
        public required string Task { get; init; }
        public string? BaseUrl { get; init; }
        public string? Model { get; init; }
        public string? ApiKeyEnv { get; init; }
        public ClientTransport Transport { get; init; }
        public ApprovalMode Approval { get; init; }
        public SandboxMode Sandbox { get; init; }
        public string? Cd { get; init; }
        public bool Json { get; init; }
        public string? Resume { get; init; }
        public bool Last { get; init; }
        public int? MaxOutputTokens { get; init; }
        public int MaxRequests { get; init; }
        public required ModelLoadOptions Load { get; init; }
    }

    private static async Task<int> RunAsync(ExecSettings s)
    {
        if (string.IsNullOrWhiteSpace(s.Task)) throw new ArgumentException("TASK is empty; say what the agent should do, e.g. spark exec \"list the files\".");
        if (s.MaxRequests < 1) throw new ArgumentException("--max-requests must be at least 1");
        if (s.MaxOutputTokens is < 1) throw new ArgumentException("--max-output-tokens must be at least 1");
        if (s.Resume is not null && s.Last) throw new ArgumentException("--resume and --last both pick a session; give one of them.");
        if (s.BaseUrl is not null && s.Model is null) throw new ArgumentException("--base-url needs --model NAME (the model name that server expects).");
        string? apiKey = null;
        if (s.ApiKeyEnv is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(apiKey)) throw new ArgumentException($"--api-key-env {variable}: the environment variable {variable} is not set or empty.");
        }

        string sessionsRoot = Path.Join(DefaultModel.HomeDirectory, "sessions");
        RecordedSession? resumed = s.Resume is { } id ? SessionReader.Read(SessionReader.Find(sessionsRoot, id).FilePath)
            : s.Last ? SessionReader.Read(SessionReader.Last(sessionsRoot).FilePath) : null;
        var workspace = new Workspace(s.Cd ?? resumed?.Info.Cwd ?? Environment.CurrentDirectory);
        var sandbox = Sandbox.Create(s.Sandbox, workspace);
        var policy = new ApprovalPolicy(s.Approval, sandbox, workspace, ProjectRuleStore.ForWorkspace(DefaultModel.HomeDirectory, workspace));
        var tools = ToolRegistry.CreateDefault(workspace, sandbox);

        await using var local = s.BaseUrl is null ? await StartLocalAsync(s).ConfigureAwait(false) : null;
        var baseUri = local is null ? ResponsesEndpoint.ParseBaseUrl(s.BaseUrl!) : new Uri(local.Url + "/v1");
        string modelName = local?.Name ?? s.Model!;

        var notices = new List<string>();
        var transport = await ClientTransports.OpenAsync(s.Transport, new ResponsesEndpoint(baseUri, apiKey), notices.Add, CancellationToken.None).ConfigureAwait(false);
        using var client = new ResponsesClient(
            transport,
            new ResponsesClientOptions
            {
                Model = modelName,
                Instructions = AgentInstructions.For(workspace.Root),
                Tools = AgentLoop.Declarations(tools),
                MaxOutputTokens = s.MaxOutputTokens,
            });
        using var session = resumed is null
            ? SessionWriter.Create(sessionsRoot, workspace.Root, modelName, baseUri.AbsoluteUri, DateTimeOffset.UtcNow)
            : SessionWriter.Append(resumed.Info);
        var loop = new AgentLoop(client, tools, policy, new AgentLoopOptions { MaxModelRequests = s.MaxRequests }, session);
        if (resumed is not null) loop.Restore(resumed);

        using var jsonl = s.Json ? new JsonlEventWriter(Console.OpenStandardOutput()) : null;
        var plain = new PlainEventWriter(Console.Out, Console.Error);
        Action<AgentEvent> onEvent = jsonl is not null ? jsonl.Write : plain.Write;
        if (jsonl is not null) jsonl.SessionStarted(session.Id, session.FilePath, modelName, baseUri.AbsoluteUri, client.TransportName, resumed is not null);
        else if (resumed is not null)
            foreach (string line in SessionSummary.Lines(resumed)) Console.Error.WriteLine(line);
        else Console.Error.WriteLine($"session {session.Id} · model {modelName} · {baseUri} ({client.TransportName}) · workspace {workspace.Root}");
        foreach (string notice in notices) onEvent(new AgentNotice(notice));

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            await loop.RunTurnAsync(s.Task, onEvent, cancel.Token).ConfigureAwait(false);
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

    private static async Task<LocalModelHost> StartLocalAsync(ExecSettings s)
    {
        var (path, name) = ServedModel.Resolve(s.Model, null, Console.Error.WriteLine);
        var options = new SparkServerOptions { Host = "127.0.0.1", Port = 0 };
        return await LocalModelHost.StartAsync(path, name, s.Load, options, QuietLogging).ConfigureAwait(false);
    }

    // the in-process server only speaks up about problems, on stderr; stdout is the answer (or the JSONL events)
    private static void QuietLogging(ILoggingBuilder logging) => logging
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(LogLevel.Warning);
}
