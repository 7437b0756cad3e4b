using System.Diagnostics;
using System.Text;

namespace Spark.Cli.Tests;

/// <summary>Runs the built `spark` CLI as a real process, as a user would, with a private SPARK_HOME.</summary>
internal static class SparkProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    private static readonly string SparkDll = Path.Combine(AppContext.BaseDirectory, "spark.dll");

    public static Result Run(string? sparkHome, params string[] args) => Run(sparkHome, [], args);

    /// <summary>Runs spark with extra environment variables (e.g. DOTNET_EnableAVX512F=0 to hide a CPU feature).</summary>
    public static Result Run(string? sparkHome, (string Name, string Value)[] environment, params string[] args) =>
        Run(sparkHome, environment, "", args);

    /// <summary>Runs spark with <paramref name="input"/> piped to its stdin (then closed).</summary>
    public static Result RunWithInput(string? sparkHome, string input, params string[] args) => Run(sparkHome, [], input, args);

    private static Result Run(string? sparkHome, (string Name, string Value)[] environment, string input, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(SparkDll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (sparkHome != null) psi.Environment["SPARK_HOME"] = sparkHome;
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        if (input.Length > 0) p.StandardInput.Write(input);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"spark {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
