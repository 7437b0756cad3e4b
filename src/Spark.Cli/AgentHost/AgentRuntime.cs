using Microsoft.Extensions.Logging;
using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Agent.Sessions;
using Spark.Agent.Tools;
using Spark.Cli.Hosting;
using Spark.Server.Hosting;

namespace Spark.Cli.AgentHost;

/// <summary>
/// Everything an agent session runs on, built once from <see cref="AgentSettings"/> for <c>spark</c> and
/// <c>spark exec</c>: the workspace, sandbox, approval policy and tools; the Responses API (given, or Spark's server
/// started in this process); and the current conversation — client, session file and loop — which
/// <see cref="StartConversationAsync"/> replaces for <c>/new</c> and <c>/resume</c>.
/// </summary>
internal sealed class AgentRuntime : IAsyncDisposable
{
    private readonly AgentSettings _settings;
    private readonly string? _apiKey;
    private readonly Func<ToolCall, ApprovalDecision.AskUser, CancellationToken, Task<bool>>? _approver;

    private AgentRuntime(AgentSettings settings, string? apiKey, Workspace workspace, LocalModelHost? local, Uri baseUri, string model,
        Func<ToolCall, ApprovalDecision.AskUser, CancellationToken, Task<bool>>? approver)
    {
        _settings = settings;
        _apiKey = apiKey;
        _approver = approver;
        Workspace = workspace;
        Local = local;
        BaseUri = baseUri;
        var sandbox = Sandbox.Create(settings.Sandbox, workspace);
        Policy = new ApprovalPolicy(settings.Approval, sandbox, workspace, ProjectRuleStore.ForWorkspace(settings.Home, workspace));
        Tools = ToolRegistry.CreateDefault(workspace, sandbox);
        Model = model;
        AgentsMdFiles = Spark.Agent.Loop.AgentsMdFiles.Discover(workspace.Root);
    }

    /// <summary>Where sessions are recorded (<c>~/.spark/sessions</c>).</summary>
    public string SessionsRoot => SessionsRootOf(_settings);

    private static string SessionsRootOf(AgentSettings s) => Path.Join(s.Home, "sessions");

    public Workspace Workspace { get; }
    public ApprovalPolicy Policy { get; }
    public ToolRegistry Tools { get; }

    /// <summary>Spark's server started in this process, or null when <c>--base-url</c> was given.</summary>
    public LocalModelHost? Local { get; }

    /// <summary>The API root requests go to.</summary>
    public Uri BaseUri { get; }

    /// <summary>The model the session started with (the client's <see cref="ResponsesClient.Model"/> may have been switched since).</summary>
    public string Model { get; }

    /// <summary>The context length of the in-process model, or null when the server is elsewhere (and did not say).</summary>
    public int? ContextWindow => Local?.Backend.ContextLength;

    /// <summary>The AGENTS.md files (repository root down to the workspace) whose text is in the instructions.</summary>
    public IReadOnlyList<string> AgentsMdFiles { get; private set; } = [];

    /// <summary>Things to tell the user once (e.g. the WebSocket fell back to HTTP/SSE).</summary>
    public List<string> Notices { get; } = [];

    public ResponsesClient Client { get; private set; } = null!;
    public SessionWriter Session { get; private set; } = null!;
    public AgentLoop Loop { get; private set; } = null!;

    /// <summary>The session that was resumed by the last <see cref="StartConversationAsync"/>, or null for a new one.</summary>
    public RecordedSession? Resumed { get; private set; }

    /// <summary>
    /// Checks the settings, picks the session to resume (if any), starts the in-process server when there is no
    /// <c>--base-url</c>, and opens the first conversation. <paramref name="approver"/> asks the user about calls that
    /// need approval (null: nobody can be asked, as in exec). <paramref name="log"/> receives notes from starting the
    /// local model (stderr in exec); <paramref name="serverLogging"/> replaces the in-process server's logging
    /// (default: warnings on stderr).
    /// </summary>
    public static async Task<AgentRuntime> StartAsync(AgentSettings s, Func<ToolCall, ApprovalDecision.AskUser, CancellationToken, Task<bool>>? approver,
        Action<string> log, CancellationToken cancellationToken, Action<ILoggingBuilder>? serverLogging = null)
    {
        s.Validate();
        string? apiKey = null;
        if (s.ApiKeyEnv is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(apiKey)) throw new ArgumentException($"--api-key-env {variable}: the environment variable {variable} is not set or empty.");
        }
        string sessionsRoot = SessionsRootOf(s);
        RecordedSession? resumed = s.Resume is { } id ? SessionReader.Read(SessionReader.Find(sessionsRoot, id).FilePath)
            : s.Last ? SessionReader.Read(SessionReader.Last(sessionsRoot).FilePath) : null;
        var workspace = new Workspace(s.Cd ?? resumed?.Info.Cwd ?? Environment.CurrentDirectory);

        LocalModelHost? local = s.BaseUrl is null ? await StartLocalAsync(s, log, serverLogging ?? QuietLogging).ConfigureAwait(false) : null;
        try
        {
            var baseUri = local is null ? ResponsesEndpoint.ParseBaseUrl(s.BaseUrl!) : new Uri(local.Url + "/v1");
            // resuming with --base-url and no model anywhere: the session's own (last) model
            var runtime = new AgentRuntime(s, apiKey, workspace, local, baseUri, local?.Name ?? s.Model ?? resumed!.Info.Model, approver);
            await runtime.StartConversationAsync(resumed, runtime.ModelFor(resumed), cancellationToken).ConfigureAwait(false);
            return runtime;
        }
        catch
        {
            if (local is not null) await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The model a conversation continues with: for a resumed session the one it recorded last (its <c>/model</c>
    /// switches included), unless <c>--model</c> was given (then the model chosen now: the flag's, or what <c>/model</c>
    /// switched to since) or the model is Spark's in-process server, which serves only its file; otherwise the
    /// session's configured model.
    /// </summary>
    public string ModelFor(RecordedSession? resume)
    {
        if (resume is null) return Model;
        if (_settings.ModelFromFlag) return Client?.Model ?? Model;
        if (Local is not null)
        {
            if (resume.Info.Model != Model)
                Notices.Add($"the session last used the model {resume.Info.Model}; the in-process server serves {Model}, so it continues with {Model}.");
            return Model;
        }
        return resume.Info.Model;
    }

    /// <summary>
    /// Switches the model mid-conversation (the history is kept) and records it in the session file, so a resume comes
    /// back on it. False when <paramref name="name"/> is the model already in use.
    /// </summary>
    public bool SwitchModel(string name)
    {
        if (!Client.SwitchModel(name)) return false;
        Session.ModelSwitched(name, DateTimeOffset.UtcNow);
        return true;
    }

    /// <summary>
    /// Opens a fresh connection and session file for a new conversation with <paramref name="model"/>, or continues
    /// <paramref name="resume"/> (its history restored, its file appended to). The previous conversation is closed.
    /// </summary>
    public async Task StartConversationAsync(RecordedSession? resume, string model, CancellationToken cancellationToken)
    {
        var transport = await ClientTransports.OpenAsync(_settings.Transport, new ResponsesEndpoint(BaseUri, _apiKey), Notices.Add, cancellationToken).ConfigureAwait(false);
        var client = new ResponsesClient(transport, new ResponsesClientOptions
        {
            Model = model,
            Instructions = AgentInstructions.For(Workspace.Root, AgentsMdFiles),
            Tools = AgentLoop.Declarations(Tools),
            MaxOutputTokens = _settings.MaxOutputTokens,
        });
        Client?.Dispose();
        Session?.Dispose();
        Client = client;
        Session = resume is null
            ? SessionWriter.Create(SessionsRoot, Workspace.Root, model, BaseUri.AbsoluteUri, DateTimeOffset.UtcNow)
            : SessionWriter.Append(resume.Info);
        if (resume is not null && resume.Info.Model != model) Session.ModelSwitched(model, DateTimeOffset.UtcNow); // the file says what the rest used
        Loop = new AgentLoop(client, Tools, Policy, new AgentLoopOptions { MaxModelRequests = _settings.MaxRequests, Approver = _approver }, Session);
        if (resume is not null) Loop.Restore(resume);
        Resumed = resume;
    }

    private static async Task<LocalModelHost> StartLocalAsync(AgentSettings s, Action<string> log, Action<ILoggingBuilder> logging)
    {
        var (path, name) = ServedModel.Resolve(s.Model, null, log);
        var options = new SparkServerOptions { Host = "127.0.0.1", Port = 0 };
        return await LocalModelHost.StartAsync(path, name, s.Load, options, logging).ConfigureAwait(false);
    }

    // the in-process server only speaks up about problems, on stderr; stdout belongs to the agent's output
    private static void QuietLogging(ILoggingBuilder logging) => logging
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(LogLevel.Warning);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        Session?.Dispose();
        if (Local is not null) await Local.DisposeAsync().ConfigureAwait(false);
    }
}
