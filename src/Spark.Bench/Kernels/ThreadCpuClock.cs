using System.Runtime.InteropServices;

namespace Spark.Bench.Kernels;

/// <summary>
/// The calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID): unlike a wall clock it stops while the OS runs other
/// work on the core, so a single-thread kernel can be compared on a busy machine.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>True where the clock exists (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Seconds of CPU time the calling thread has used.</summary>
    public static double Seconds()
    {
        if (!IsSupported) throw new PlatformNotSupportedException("a per-thread CPU clock needs Linux");
        if (clock_gettime(ClockThreadCpuTime, out var t) != 0) throw new InvalidOperationException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
        return t.Seconds + t.Nanoseconds * 1e-9;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
