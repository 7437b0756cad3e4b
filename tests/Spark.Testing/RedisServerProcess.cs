using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Spark.Testing;

/// <summary>
/// A real <c>redis-server</c> (the Debian package) on 127.0.0.1 at a free port, with persistence off, for tests of
/// Spark's Redis response store. Dispose stops it. Tests that use it carry <see cref="RedisFactAttribute"/>, which
/// skips them (saying why) where redis-server is not installed; <c>.ci/run</c> installs it.
/// </summary>
public sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The TCP port it listens on.</summary>
    public int Port { get; }

    /// <summary><c>redis://127.0.0.1:PORT</c>.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>The redis-server executable on PATH, or null.</summary>
    public static string? Executable { get; } = FindOnPath("redis-server");

    /// <summary>Starts one and waits (at most 10 s) until it answers PING.</summary>
    public static async Task<RedisServerProcess> StartAsync()
    {
        string exe = Executable ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server)");
        int port = FreePort();
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServerProcess(process, port);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!await server.PingsAsync())
            {
                if (process.HasExited) throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} before answering on port {port}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis-server did not answer PING on 127.0.0.1:{port} within 10 s");
                await Task.Delay(50);
            }
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private async Task<bool> PingsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return read >= 5 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Stops the server.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>A fact that needs a real redis-server; reported as SKIPPED, with the reason, where it is not installed.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute, skipping when redis-server is not on PATH.</summary>
    public RedisFactAttribute()
    {
        if (RedisServerProcess.Executable is null)
            Skip = "SKIPPED: redis-server is not installed, so the Redis response store is NOT tested here (apt-get install redis-server; .ci/run installs it)";
    }
}
