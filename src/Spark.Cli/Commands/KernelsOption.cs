using System.CommandLine;
using Spark.Engine.Kernels;

namespace Spark.Cli.Commands;

/// <summary>The <c>--kernels</c> option every command that loads a model shares (run, bench engine).</summary>
internal static class KernelsOption
{
    public static Option<KernelPath> Create() => new("--kernels")
    {
        Description = "Matrix-vector kernels: auto (fastest this CPU runs), scalar, avx2 or avx512.",
        DefaultValueFactory = _ => KernelPath.Auto,
    };
}
