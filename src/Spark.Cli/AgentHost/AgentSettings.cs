using Spark.Agent.Client;
using Spark.Agent.Policy;
using Spark.Engine.Inference;

namespace Spark.Cli.AgentHost;

/// <summary>
/// How to start an agent session, as <c>spark</c>, <c>spark resume</c> and <c>spark exec</c> take it from their flags:
/// which Responses API (or, without <see cref="BaseUrl"/>, Spark's own server in this process), which model, and the
/// approval and sandbox modes.
/// </summary>
internal sealed record AgentSettings
{
    public string? BaseUrl { get; init; }
    public string? Model { get; init; }

    /// <summary>True when <see cref="Model"/> came from <c>--model</c>: it then wins over the model a resumed session recorded last.</summary>
    public bool ModelFromFlag { get; init; }
    public string? ApiKeyEnv { get; init; }
    public ClientTransport Transport { get; init; }
    public ApprovalMode Approval { get; init; } = ApprovalMode.OnRequest;
    public SandboxMode Sandbox { get; init; } = SandboxMode.WorkspaceWrite;
    public string? Cd { get; init; }
    public string? Resume { get; init; }
    public bool Last { get; init; }
    public int? MaxOutputTokens { get; init; }
    public int MaxRequests { get; init; } = 50;
    public ModelLoadOptions Load { get; init; } = new();

    /// <summary>Spark's home folder: sessions under <c>sessions/</c>, project approvals, config (default <c>~/.spark</c> or SPARK_HOME).</summary>
    public string Home { get; init; } = Spark.Engine.Models.Synthetic.DefaultModel.HomeDirectory;

    /// <summary>Checks the combinations no single flag can: the message names the flags and how to fix them.</summary>
    /// <exception cref="ArgumentException">The settings contradict each other.</exception>
    public void Validate()
    {
        if (MaxRequests < 1) throw new ArgumentException("--max-requests must be at least 1");
        if (MaxOutputTokens is < 1) throw new ArgumentException("--max-output-tokens must be at least 1");
        if (Resume is not null && Last) throw new ArgumentException("--resume and --last both pick a session; give one of them.");
        if (BaseUrl is not null && Model is null && Resume is null && !Last)
            throw new ArgumentException("--base-url needs --model NAME (the model name that server expects).");
    }
}
