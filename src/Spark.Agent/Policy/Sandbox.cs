using System.Diagnostics;

namespace Spark.Agent.Policy;

/// <summary>
/// How shell commands are confined. In <c>read-only</c> and <c>workspace-write</c> modes commands run under
/// bubblewrap (<c>bwrap</c>): the whole file system bound read-only, the workspace bound writable (or read-only),
/// a private <c>/tmp</c>, and a private pid namespace so that killing bwrap kills everything inside.
/// When bwrap is missing or cannot create namespaces, <see cref="IsAvailable"/> is false and the approval policy
/// asks the user about every command instead.
/// </summary>
public sealed class Sandbox
{
    private readonly string? _bwrapPath;

    private Sandbox(SandboxMode mode, string workspaceRoot, string? bwrapPath, string? unavailableReason)
    {
        Mode = mode;
        WorkspaceRoot = workspaceRoot;
        _bwrapPath = bwrapPath;
        UnavailableReason = unavailableReason;
    }

    /// <summary>The configured mode.</summary>
    public SandboxMode Mode { get; }

    /// <summary>The workspace folder commands may write in (workspace-write mode).</summary>
    public string WorkspaceRoot { get; }

    /// <summary>True when commands are actually confined (always true for danger-full-access, which confines nothing).</summary>
    public bool IsAvailable => Mode == SandboxMode.DangerFullAccess || _bwrapPath is not null;

    /// <summary>Why the sandbox cannot be used (null when it can): shown to the user once.</summary>
    public string? UnavailableReason { get; }

    /// <summary>Whether file edits (apply_patch) are allowed at all.</summary>
    public bool AllowsWrites => Mode != SandboxMode.ReadOnly;

    /// <summary>
    /// Creates the sandbox for a workspace, probing bwrap once (it must exist on PATH and be able to create its
    /// namespaces here: containers often forbid that).
    /// </summary>
    public static Sandbox Create(SandboxMode mode, Workspace workspace)
    {
        if (mode == SandboxMode.DangerFullAccess) return new Sandbox(mode, workspace.Root, null, null);
        var (path, reason) = BwrapProbe.Value;
        return new Sandbox(mode, workspace.Root, path, path is null ? reason : null);
    }

    /// <summary>A sandbox that never uses bwrap, as if it were missing (for tests and for users who opt out).</summary>
    public static Sandbox WithoutBwrap(SandboxMode mode, Workspace workspace, string reason) =>
        new(mode, workspace.Root, null, mode == SandboxMode.DangerFullAccess ? null : reason);

    /// <summary>
    /// The argv that runs <paramref name="command"/> under this sandbox: <c>bwrap … bash -c COMMAND</c>, or plain
    /// <c>bash -c COMMAND</c> when unconfined.
    /// </summary>
    public IReadOnlyList<string> Wrap(string command, string workdir)
    {
        var argv = new List<string>();
        if (Mode != SandboxMode.DangerFullAccess && _bwrapPath is not null)
        {
            argv.AddRange([_bwrapPath, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
            // The workspace may itself live under /tmp: bind it after the tmpfs so it shows through.
            argv.AddRange([Mode == SandboxMode.WorkspaceWrite ? "--bind" : "--ro-bind", WorkspaceRoot, WorkspaceRoot]);
            // No --die-with-parent: its signal fires when the *thread* that forked exits, and .NET forks from pool
            // threads. The tool kills the whole process group instead, which reaches into the pid namespace.
            argv.AddRange(["--unshare-pid", "--chdir", workdir]);
        }
        argv.AddRange(["bash", "-c", command]);
        return argv;
    }

    private static readonly Lazy<(string? Path, string Reason)> BwrapProbe = new(ProbeBwrap);

    private static (string? Path, string Reason) ProbeBwrap()
    {
        string? path = FindOnPath("bwrap");
        if (path is null)
            return (null, "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)");
        try
        {
            var psi = new ProcessStartInfo(path)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string a in (string[])["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "true"])
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(5000))
            {
                p.Kill(entireProcessTree: true);
                return (null, "bwrap did not start within 5 s");
            }
            return p.ExitCode == 0
                ? (path, "")
                : (null, $"bwrap cannot create its namespaces here ({err.Trim()})");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return (null, $"bwrap could not be started ({e.Message})");
        }
    }

    internal static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Join(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
