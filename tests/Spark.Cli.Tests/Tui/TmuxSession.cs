using System.Diagnostics;

namespace Spark.Cli.Tests.Tui;

/// <summary>A detached tmux session on its own server socket (so tests never touch a user's tmux), 80×24 by default.</summary>
internal sealed class TmuxSession : IDisposable
{
    private readonly string _socket = "spark-test-" + Guid.NewGuid().ToString("N")[..12];
    private const string Name = "spark";

    public static bool IsAvailable { get; } = Find();

    private static bool Find()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("tmux", "-V") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit(5000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public TmuxSession(string shellCommand, int width = 80, int height = 24) =>
        Tmux("new-session", "-d", "-s", Name, "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), shellCommand);

    /// <summary>Types keys (tmux key names like Enter, Escape, C-c are translated).</summary>
    public void SendKeys(params string[] keys) => Tmux(["send-keys", "-t", Name, .. keys]);

    /// <summary>The visible screen plus scrollback, as text.</summary>
    public string Capture() => Tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", Name);

    public async Task<string> WaitForAsync(string text, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            string screen = Capture();
            if (screen.Contains(text, StringComparison.Ordinal)) return screen;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the terminal never showed '{text}'; it shows:\n{screen}");
            await Task.Delay(100);
        }
    }

    private string Tmux(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-L");
        psi.ArgumentList.Add(_socket);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {error}");
        return output;
    }

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }
}
