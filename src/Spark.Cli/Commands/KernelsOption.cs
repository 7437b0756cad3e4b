using System.CommandLine;
using Spark.Engine.Kernels;

namespace Spark.Cli.Commands;

/// <summary>The <c>--kernels</c> option every command that loads a model shares (run, bench engine).</summary>
internal static class KernelsOption
{
    private static readonly string[] Names = ["auto", "scalar", "avx2", "avx512"];

    public static Option<KernelPath> Create() => new("--kernels")
    {
        Description = "Matrix-vector kernels: auto (fastest this CPU runs), scalar, avx2 or avx512.",
        DefaultValueFactory = _ => KernelPath.Auto,
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "auto";
            if (Enum.TryParse<KernelPath>(value, ignoreCase: true, out var path) && Names.Contains(value.ToLowerInvariant()))
                return path;
            result.AddError($"--kernels must be one of {string.Join(", ", Names)}, got '{value}'");
            return KernelPath.Auto;
        },
    };
}
