using System.CommandLine;
using Spark.Agent.Client;
using Spark.Agent.Loop;
using Spark.Agent.Policy;
using Spark.Engine.Inference;

namespace Spark.Cli.AgentHost;

/// <summary>
/// The flags every agent command shares (<c>spark</c>, <c>spark resume</c>, <c>spark exec</c>): where the model is,
/// how to reach it, and what the agent may do. One definition, so the commands cannot drift apart.
/// </summary>
internal sealed class AgentCommandOptions
{
    private readonly Option<string?> _baseUrl = new("--base-url") { Description = "A Responses API to use, e.g. http://127.0.0.1:8080/v1 (default: start Spark's server in-process on a local model)." };
    private readonly Option<string?> _model = new("--model", "-m") { Description = "With --base-url: the model name to request. Without: a GGUF file to serve (default: Spark's built-in synthetic model)." };
    private readonly Option<string?> _apiKeyEnv = new("--api-key-env") { Description = "The environment variable holding the API key, sent as 'Authorization: Bearer KEY'." };
    private readonly Option<string?> _transport = new("--transport") { Description = "auto (default), http or ws: auto opens one WebSocket for the session (prewarm, steering) and falls back to HTTP/SSE when the server refuses the upgrade." };
    private readonly Option<string?> _approval;
    private readonly Option<string?> _sandbox = new("--sandbox", "-s") { Description = "read-only, workspace-write (default) or danger-full-access." };
    private readonly Option<string?> _profile = new("--profile", "-p") { Description = "Use the [profiles.NAME] defaults of ~/.spark/config.toml." };
    private readonly Option<string?> _cd = new("--cd", "-C") { Description = "The workspace folder (default: the current directory, or the resumed session's)." };
    private readonly Option<int?> _maxOutput = new("--max-output-tokens") { Description = "Most tokens per model response (default: the server's)." };
    private readonly Option<int> _maxRequests = new("--max-requests") { Description = "Most model requests one turn may take.", DefaultValueFactory = _ => new AgentLoopOptions().MaxModelRequests };
    private readonly Option<int?> _threads = new("--threads", "-t") { Description = "In-process server only: worker threads (default: all cores)." };
    private readonly Option<int?> _ctx = new("--ctx") { Description = "In-process server only: context length in tokens." };

    /// <param name="approvalHelp">What --ask-for-approval means for this command (exec has nobody to ask).</param>
    public AgentCommandOptions(string approvalHelp)
    {
        _approval = new Option<string?>("--ask-for-approval", "-a") { Description = approvalHelp + " Default: on-request (or the config's approval_policy)." };
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _baseUrl, _model, _apiKeyEnv, _transport, _approval, _sandbox, _profile, _cd, _maxOutput, _maxRequests, _threads, _ctx })
            command.Options.Add(option);
    }

    /// <summary>
    /// The session's settings: the flags given, completed from <c>~/.spark/config.toml</c> (and <c>--profile</c>);
    /// <paramref name="resume"/>/<paramref name="last"/> pick a session to continue.
    /// </summary>
    /// <exception cref="InvalidDataException">The config file is wrong; the message names the file and the key.</exception>
    public AgentSettings Read(ParseResult parse, string? resume = null, bool last = false)
    {
        var flags = new AgentFlags
        {
            BaseUrl = parse.GetValue(_baseUrl),
            Model = parse.GetValue(_model),
            ApiKeyEnv = parse.GetValue(_apiKeyEnv),
            Transport = parse.GetValue(_transport),
            Approval = parse.GetValue(_approval),
            Sandbox = parse.GetValue(_sandbox),
            Profile = parse.GetValue(_profile),
            Cd = parse.GetValue(_cd),
            MaxOutputTokens = parse.GetValue(_maxOutput),
            MaxRequests = parse.GetValue(_maxRequests),
            Load = new ModelLoadOptions { Threads = parse.GetValue(_threads), ContextLength = parse.GetValue(_ctx) },
        };
        string home = Spark.Engine.Models.Synthetic.DefaultModel.HomeDirectory;
        return AgentSettingsResolver.Resolve(flags, AgentConfigReader.Load(AgentConfig.PathIn(home)), home, resume, last);
    }
}
