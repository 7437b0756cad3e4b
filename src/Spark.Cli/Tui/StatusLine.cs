using System.Globalization;

namespace Spark.Cli.Tui;

/// <summary>
/// The line under the output: the model, the transport, generation speed of the last response, how much of the
/// context the conversation fills, and what the agent is doing (with the key that stops it).
/// </summary>
internal sealed class StatusLine
{
    public string Model { get; set; } = "";
    public string Transport { get; set; } = "";
    public int? ContextWindow { get; set; }

    /// <summary>Tokens the last request's context held (its input plus its output).</summary>
    public int? ContextUsed { get; set; }

    public double? TokensPerSecond { get; set; }

    /// <summary>What is happening: null when idle (waiting for the user).</summary>
    public string? Activity { get; set; }

    public IEnumerable<LiveSpan> Spans()
    {
        var inv = CultureInfo.InvariantCulture;
        yield return new LiveSpan(Model, "bold");
        yield return new LiveSpan($" · {Transport}", "grey");
        if (TokensPerSecond is { } tps) yield return new LiveSpan(string.Format(inv, " · {0:0.0} tok/s", tps), "grey");
        if (ContextUsed is { } used)
        {
            string text = ContextWindow is { } window and > 0
                ? string.Format(inv, " · ctx {0}/{1} ({2:0}%)", Tokens(used), Tokens(window), 100.0 * used / window)
                : string.Format(inv, " · ctx {0}", Tokens(used));
            yield return new LiveSpan(text, ContextWindow is { } w && used > 0.9 * w ? "red" : "grey");
        }
        yield return Activity is { } activity
            ? new LiveSpan($" · {activity}", "yellow")
            : new LiveSpan(" · /help for commands", "grey");
    }

    private static string Tokens(int n) => n >= 1000 ? (n / 1000.0).ToString("0.#", CultureInfo.InvariantCulture) + "K" : n.ToString(CultureInfo.InvariantCulture);
}
