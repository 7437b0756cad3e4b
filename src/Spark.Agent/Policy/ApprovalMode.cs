namespace Spark.Agent.Policy;

/// <summary>When the agent stops to ask the user before running a tool call (<c>--ask-for-approval</c>).</summary>
public enum ApprovalMode
{
    /// <summary>Only known read-only commands and read-only tools run without asking.</summary>
    Untrusted,
    /// <summary>The default: calls the sandbox confines run without asking; without a sandbox every command is asked.</summary>
    OnRequest,
    /// <summary>Never ask; calls the sandbox or the rules forbid fail and the model is told why.</summary>
    Never,
}

/// <summary>The command-line spellings of <see cref="ApprovalMode"/> (<c>untrusted</c>, <c>on-request</c>, <c>never</c>).</summary>
public static class ApprovalModes
{
    /// <summary>The mode used when none is configured.</summary>
    public const ApprovalMode Default = ApprovalMode.OnRequest;

    /// <summary>Parses a command-line or config value.</summary>
    /// <exception cref="ArgumentException">The value is not one of the three spellings.</exception>
    public static ApprovalMode Parse(string value) => value.Trim() switch
    {
        "untrusted" => ApprovalMode.Untrusted,
        "on-request" => ApprovalMode.OnRequest,
        "never" => ApprovalMode.Never,
        _ => throw new ArgumentException(
            $"Unknown approval mode '{value}'; use untrusted, on-request or never.", nameof(value)),
    };

    /// <summary>The command-line spelling of a mode.</summary>
    public static string Name(this ApprovalMode mode) => mode switch
    {
        ApprovalMode.Untrusted => "untrusted",
        ApprovalMode.OnRequest => "on-request",
        _ => "never",
    };
}
