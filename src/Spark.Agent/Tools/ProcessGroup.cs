using System.Runtime.InteropServices;

namespace Spark.Agent.Tools;

/// <summary>
/// Signals a whole process group. Commands are started through <c>setsid</c>, so the shell leads a new session and
/// process group whose id is its pid; everything it spawns (pipelines, background jobs) stays in that group unless it
/// deliberately calls setsid itself, and one <c>kill(-pgid)</c> ends them all.
/// </summary>
internal static partial class ProcessGroup
{
    private const int SigKill = 9;

    /// <summary>Sends SIGKILL to every process in the group; false when none is left.</summary>
    public static bool Kill(int processGroupId) =>
        processGroupId > 1 && NativeMethods.kill(-processGroupId, SigKill) == 0;

    /// <summary>Whether any process of the group is still alive (signal 0 probes without signalling).</summary>
    public static bool IsAlive(int processGroupId) =>
        processGroupId > 1 && NativeMethods.kill(-processGroupId, 0) == 0;

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe blocks, which this project keeps out; the signature is blittable
        internal static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}
