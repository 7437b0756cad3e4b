using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Spark.Bench.Reports;

/// <summary>The machine a benchmark ran on, so a number in a table can be traced to its hardware.</summary>
public sealed record MachineInfo
{
    /// <summary>The CPU's model name (from <c>/proc/cpuinfo</c> on Linux), or the processor architecture.</summary>
    public required string Cpu { get; init; }

    /// <summary>Logical processors this process may use.</summary>
    public required int LogicalCores { get; init; }

    /// <summary>Vector instruction sets the runtime can use (e.g. <c>avx2 fma avx512f avx512vnni</c>).</summary>
    public required string Isa { get; init; }

    /// <summary>The operating system.</summary>
    public required string Os { get; init; }

    /// <summary>The .NET runtime.</summary>
    public required string Runtime { get; init; }

    /// <summary>Describes the machine this process runs on.</summary>
    public static MachineInfo Current() => new()
    {
        Cpu = CpuModelName() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        LogicalCores = Environment.ProcessorCount,
        Isa = InstructionSets(),
        Os = RuntimeInformation.OSDescription,
        Runtime = RuntimeInformation.FrameworkDescription,
    };

    private static string? CpuModelName()
    {
        const string cpuinfo = "/proc/cpuinfo";
        try
        {
            if (!File.Exists(cpuinfo)) return null;
            foreach (string line in File.ReadLines(cpuinfo))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                    return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static string InstructionSets()
    {
        var sets = new List<string>();
        if (Avx2.IsSupported) sets.Add("avx2");
        if (Fma.IsSupported) sets.Add("fma");
        if (Avx512F.IsSupported) sets.Add("avx512f");
        if (Avx512BW.IsSupported) sets.Add("avx512bw");
        if (AvxVnni.IsSupported) sets.Add("avxvnni");
        if (Avx10v1.IsSupported) sets.Add("avx10.1");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) sets.Add("neon");
        return sets.Count > 0 ? string.Join(' ', sets) : "none";
    }
}
