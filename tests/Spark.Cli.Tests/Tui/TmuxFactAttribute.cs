namespace Spark.Cli.Tests.Tui;

/// <summary>
/// A test that drives the real terminal UI through tmux. Without tmux it is skipped, and the skip reason says so
/// loudly (.ci/run installs tmux, so CI runs it).
/// </summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!TmuxSession.IsAvailable)
            Skip = "SKIPPED: tmux is not installed (apt-get install tmux), so the terminal-UI smoke test did NOT run.";
    }
}
