namespace Spark.Agent.Policy;

/// <summary>What commands and edits may touch (<c>--sandbox</c>).</summary>
public enum SandboxMode
{
    /// <summary>Nothing may be written: apply_patch is refused, shell commands run with the whole file system read-only.</summary>
    ReadOnly,
    /// <summary>The default: the workspace is writable, the rest of the file system read-only.</summary>
    WorkspaceWrite,
    /// <summary>No sandbox at all; commands run with the user's full rights.</summary>
    DangerFullAccess,
}

/// <summary>The command-line spellings of <see cref="SandboxMode"/> (<c>read-only</c>, <c>workspace-write</c>, <c>danger-full-access</c>).</summary>
public static class SandboxModes
{
    /// <summary>The mode used when none is configured.</summary>
    public const SandboxMode Default = SandboxMode.WorkspaceWrite;

    /// <summary>Parses a command-line or config value.</summary>
    /// <exception cref="ArgumentException">The value is not one of the three spellings.</exception>
    public static SandboxMode Parse(string value) => value.Trim() switch
    {
        "read-only" => SandboxMode.ReadOnly,
        "workspace-write" => SandboxMode.WorkspaceWrite,
        "danger-full-access" => SandboxMode.DangerFullAccess,
        _ => throw new ArgumentException(
            $"Unknown sandbox mode '{value}'; use read-only, workspace-write or danger-full-access.", nameof(value)),
    };

    /// <summary>The command-line spelling of a mode.</summary>
    public static string Name(this SandboxMode mode) => mode switch
    {
        SandboxMode.ReadOnly => "read-only",
        SandboxMode.WorkspaceWrite => "workspace-write",
        _ => "danger-full-access",
    };
}
