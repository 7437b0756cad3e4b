namespace Spark.Cli.Bench.Latency;

/// <summary>What the client saw of one turn, in milliseconds from the moment it started sending the request.</summary>
/// <param name="Turn">The turn's number in its conversation, from 1.</param>
/// <param name="TtftMs">Time to the first <c>response.output_text.delta</c> (NaN when the turn produced no text).</param>
/// <param name="InterTokenMs">Gaps between consecutive text deltas.</param>
/// <param name="WallMs">Time to the response's final event (<c>response.completed</c> / <c>response.incomplete</c>).</param>
/// <param name="ServerMs">The server's own time for the response (queue + compute, from Spark's <c>usage.spark_timing</c>), or null when the server does not report it.</param>
/// <param name="OutputTokens">Tokens the server says it generated (<c>usage.output_tokens</c>; the delta count when usage is missing).</param>
/// <param name="InputTokens">Prompt tokens the server counted (0 when usage is missing).</param>
/// <param name="CachedTokens">Of those, how many it reused from its KV cache.</param>
/// <param name="ResponseId">The response's id, which the next turn continues with <c>previous_response_id</c>.</param>
internal sealed record TurnMeasurement(int Turn, double TtftMs, double[] InterTokenMs, double WallMs, double? ServerMs, int OutputTokens, string ResponseId, int InputTokens = 0, int CachedTokens = 0)
{
    /// <summary>
    /// The decode steps of the turn's requests whose tokens can be matched to their deltas one to one (the
    /// per-token overhead is measured on these); empty when none could.
    /// </summary>
    public StepTiming[] Steps { get; init; } = [];

    /// <summary>
    /// When each of the turn's requests was in flight, as <see cref="System.Diagnostics.Stopwatch"/> timestamps (sent,
    /// final event received): how many requests a concurrency level really had open at once is counted from these.
    /// </summary>
    public RequestSpan[] Requests { get; init; } = [];

    /// <summary>The call id of the first function call the response made, or null.</summary>
    public string? CallId { get; init; }

    /// <summary>
    /// With agent-like turns: time to the first token of the second request — the continuation after the tool's
    /// output, sent by <c>previous_response_id</c> — or NaN when the turn was a single request.
    /// </summary>
    public double ContinuationTtftMs { get; init; } = double.NaN;

    /// <summary>
    /// One agent-like turn from its two requests: <paramref name="call"/> (the user's message, answered by a tool call)
    /// and <paramref name="continuation"/> (the tool's output, answered by text). TTFT is the call's (the user waits
    /// from their message on); times, tokens and server time add up; the id is the continuation's.
    /// </summary>
    public static TurnMeasurement Combine(TurnMeasurement call, TurnMeasurement continuation) => new(
        call.Turn, call.TtftMs, [.. call.InterTokenMs, .. continuation.InterTokenMs], call.WallMs + continuation.WallMs,
        call.ServerMs is { } a && continuation.ServerMs is { } b ? a + b : null,
        call.OutputTokens + continuation.OutputTokens, continuation.ResponseId,
        call.InputTokens + continuation.InputTokens, call.CachedTokens + continuation.CachedTokens)
    {
        ContinuationTtftMs = continuation.TtftMs,
        Requests = [.. call.Requests, .. continuation.Requests],
        Steps = [.. call.Steps, .. continuation.Steps],
        CombinedOverheadMs = call.OverheadMs + continuation.OverheadMs,
    };

    /// <summary>The two requests' overheads added, when this turn combines them (each computed its own way); null otherwise.</summary>
    private double? CombinedOverheadMs { get; init; }

    /// <summary>
    /// Wall time the server did not account for: transport, connection set-up, request parsing and event writing.
    /// Without server timing, approximated as TTFT minus one inter-token gap (what precedes the first token beyond
    /// one decode step) — that still contains prefill, so it overstates the overhead.
    /// </summary>
    public double OverheadMs => CombinedOverheadMs is { } combined ? combined
        : ServerMs is { } server
        ? Math.Max(0, WallMs - server)
        : double.IsNaN(TtftMs) ? double.NaN : Math.Max(0, TtftMs - (InterTokenMs.Length > 0 ? Median(InterTokenMs) : 0));

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return Percentiles.At(sorted, 0.5);
    }
}

/// <summary>One request's time in flight, in <see cref="System.Diagnostics.Stopwatch"/> ticks: from starting to send it to receiving its final event.</summary>
internal readonly record struct RequestSpan(long Sent, long Ended)
{
    /// <summary>
    /// The most requests open at the same moment among <paramref name="spans"/> (a request that ended at the tick
    /// another was sent does not overlap it).
    /// </summary>
    public static int MaxInFlight(IEnumerable<RequestSpan> spans)
    {
        var edges = new List<(long At, int Change)>();
        foreach (var span in spans)
        {
            edges.Add((span.Sent, +1));
            edges.Add((span.Ended, -1));
        }
        edges.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Change.CompareTo(b.Change)); // ends first on a tie
        int open = 0, max = 0;
        foreach (var (_, change) in edges)
        {
            open += change;
            max = Math.Max(max, open);
        }
        return max;
    }
}
