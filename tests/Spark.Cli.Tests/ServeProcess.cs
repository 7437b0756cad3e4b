using System.Diagnostics;
using System.Text;

namespace Spark.Cli.Tests;

/// <summary>
/// A running <c>spark serve</c> process (with a private SPARK_HOME): started, its URL read from the first stdout line,
/// its stderr (the logs) collected; <see cref="Kill"/> or dispose stops it.
/// </summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServeProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>The base URL it listens on, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; }

    /// <summary>What it logged so far.</summary>
    public string StdErr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Waits (at most 10 s) until the logs contain <paramref name="text"/>; they arrive through a pipe, after the response that caused them.</summary>
    public async Task WaitForStdErrAsync(string text)
    {
        var watch = Stopwatch.StartNew();
        while (!StdErr.Contains(text, StringComparison.Ordinal))
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10)) Assert.Fail($"spark serve did not log '{text}' within 10 s: {StdErr}");
            await Task.Delay(20);
        }
    }

    public static async Task<ServeProcess> StartAsync(string sparkHome, (string Name, string Value)[] environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "spark.dll"));
        psi.ArgumentList.Add("serve");
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["SPARK_HOME"] = sparkHome;
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        var process = Process.Start(psi)!;
        var server = new ServeProcess(process, "");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (server._stderr) server._stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line is null || !line.StartsWith("spark serve: listening on ", StringComparison.Ordinal))
        {
            server.Kill();
            throw new InvalidOperationException($"spark serve {string.Join(' ', args)} did not print its URL ({line ?? "exited"}): {server.StdErr}");
        }
        server.Url = line.Split(' ')[4];
        return server;
    }

    /// <summary>Stops it at once, like a crash, and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
