using System.Diagnostics;
using System.Text;

namespace Spark.Bench.Agent;

/// <summary>How a child process ended: its exit code (null when it was killed at the timeout), its output and its wall time.</summary>
public sealed record ChildProcessResult(int? ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    /// <summary>Killed because it ran past its timeout.</summary>
    public bool TimedOut => ExitCode is null;

    /// <summary>The last lines of stdout and stderr, for a report that says why something failed.</summary>
    public string Tail(int lines = 12)
    {
        var all = (StdOut + "\n" + StdErr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}

/// <summary>Runs a command with a timeout; past it the whole process tree is killed (a hung agent's tool calls too).</summary>
public static class ChildProcess
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>, stdin closed.</summary>
    public static async Task<ChildProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (!timedOut) throw;
        }
        var elapsed = clock.Elapsed;
        // a killed tree's grandchildren may still hold the pipes for a moment; do not wait on them forever
        string output = await WithinAsync(stdout, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        string errors = await WithinAsync(stderr, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return new ChildProcessResult(timedOut ? null : process.ExitCode, output, errors, elapsed);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it exited on its own in the meantime
        }
    }

    private static async Task<string> WithinAsync(Task<string> read, TimeSpan wait)
    {
        var done = await Task.WhenAny(read, Task.Delay(wait)).ConfigureAwait(false);
        return done == read ? await read.ConfigureAwait(false) : "";
    }
}
