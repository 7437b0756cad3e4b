using Spark.Agent.Client;
using Spark.Agent.Policy;
using Spark.Engine.Inference;

namespace Spark.Cli.AgentHost;

/// <summary>The agent flags as given on the command line: null where the user gave none.</summary>
internal sealed record AgentFlags
{
    public string? BaseUrl { get; init; }
    public string? Model { get; init; }
    public string? ApiKeyEnv { get; init; }
    public string? Transport { get; init; }
    public string? Approval { get; init; }
    public string? Sandbox { get; init; }
    public string? Profile { get; init; }
    public string? Cd { get; init; }
    public int? MaxOutputTokens { get; init; }
    public int MaxRequests { get; init; } = 50;
    public ModelLoadOptions Load { get; init; } = new();
}

/// <summary>
/// Decides the session's settings: a flag wins, then the <c>--profile</c>'s value, then the config file's top level,
/// then Spark's defaults (<c>on-request</c>, <c>workspace-write</c>, <c>auto</c>, the in-process server). A
/// <c>model_provider</c> (when no <c>--base-url</c> is given) supplies the API root, the key variable and whether to
/// try the WebSocket.
/// </summary>
internal static class AgentSettingsResolver
{
    public static AgentSettings Resolve(AgentFlags flags, AgentConfig config, string home, string? resume = null, bool last = false)
    {
        string where = config.FilePath ?? AgentConfig.PathIn(home);
        AgentDefaults? profile = null;
        if (flags.Profile is { } name && !config.Profiles.TryGetValue(name, out profile))
            throw new ArgumentException(config.FilePath is null
                ? $"--profile {name}: there is no config file ({where}) to define it; add a [profiles.{name}] table there."
                : $"--profile {name}: {where} has no [profiles.{name}] table" +
                  (config.Profiles.Count > 0 ? $" (it has: {string.Join(", ", config.Profiles.Keys)})." : "."));
        string? Pick(Func<AgentDefaults, string?> get) => (profile is null ? null : get(profile)) ?? get(config.Defaults);

        var approval = Parse(flags.Approval, Pick(d => d.ApprovalPolicy), "approval_policy", where, ApprovalModes.Parse, ApprovalMode.OnRequest);
        var sandbox = Parse(flags.Sandbox, Pick(d => d.SandboxMode), "sandbox_mode", where, SandboxModes.Parse, SandboxMode.WorkspaceWrite);
        string? baseUrl = flags.BaseUrl, model = flags.Model, apiKeyEnv = flags.ApiKeyEnv;
        ClientTransport? transport = flags.Transport is { } t ? ClientTransports.Parse(t) : null;
        if (baseUrl is null && Pick(d => d.ModelProvider) is { } providerName)
        {
            if (!config.Providers.TryGetValue(providerName, out var provider))
                throw new InvalidDataException($"{where}: model_provider = \"{providerName}\" but there is no [model_providers.{providerName}] table" +
                                               (config.Providers.Count > 0 ? $" (there are: {string.Join(", ", config.Providers.Keys)})." : "."));
            if (provider.WireApi == "chat")
                throw new NotSupportedException(
                    $"{where}: [model_providers.{providerName}] has wire_api = \"chat\", which Spark's agent does not support: it speaks only the " +
                    "Responses API. Use a provider with a Responses endpoint (wire_api = \"responses\"), or put the Chat Completions server " +
                    "behind `spark serve` (an openai-chat backend), which offers /v1/responses.");
            baseUrl = provider.BaseUrl;
            apiKeyEnv ??= provider.EnvKey;
            transport ??= provider.SupportsWebSockets ? ClientTransport.Auto : ClientTransport.Http;
            model ??= Pick(d => d.Model)
                ?? throw new InvalidDataException($"{where}: model_provider = \"{providerName}\" needs a model name: add model = \"NAME\" (or pass --model NAME).");
        }
        else
        {
            model ??= Pick(d => d.Model);
        }
        return new AgentSettings
        {
            BaseUrl = baseUrl,
            Model = model,
            ModelFromFlag = flags.Model is not null,
            ApiKeyEnv = apiKeyEnv,
            Transport = transport ?? ClientTransport.Auto,
            Approval = approval,
            Sandbox = sandbox,
            Cd = flags.Cd,
            Resume = resume,
            Last = last,
            MaxOutputTokens = flags.MaxOutputTokens,
            MaxRequests = flags.MaxRequests,
            Load = flags.Load,
            Home = home,
        };
    }

    private static T Parse<T>(string? flag, string? configured, string key, string where, Func<string, T> parse, T fallback)
    {
        if (flag is not null) return parse(flag);
        if (configured is null) return fallback;
        try
        {
            return parse(configured);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where}: {key} = \"{configured}\": {e.Message.Replace(" (Parameter 'value')", "", StringComparison.Ordinal)}", e);
        }
    }
}
