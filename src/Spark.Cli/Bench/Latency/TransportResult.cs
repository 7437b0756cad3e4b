namespace Spark.Cli.Bench.Latency;

/// <summary>Every turn one transport ran, and the summary report.json gives of them.</summary>
/// <param name="Transport">The transport.</param>
/// <param name="Concurrency">How many conversations ran at once.</param>
/// <param name="Conversations">Each conversation's turns, in order.</param>
/// <param name="WallMs">Wall time of the transport's whole run (all conversations, concurrently).</param>
/// <param name="ConversationMs">Each conversation's end-to-end time.</param>
internal sealed record TransportResult(BenchTransport Transport, int Concurrency, IReadOnlyList<IReadOnlyList<TurnMeasurement>> Conversations, double WallMs, IReadOnlyList<double> ConversationMs)
{
    private IEnumerable<TurnMeasurement> AllTurns => Conversations.SelectMany(c => c);

    public Percentiles Ttft => Percentiles.Of(AllTurns.Select(t => t.TtftMs).Where(v => !double.IsNaN(v)).ToArray());

    /// <summary>Agent-like turns: TTFT of the continuation after the tool's output (empty for plain turns).</summary>
    public Percentiles ContinuationTtft => Percentiles.Of(AllTurns.Select(t => t.ContinuationTtftMs).Where(v => !double.IsNaN(v)).ToArray());

    /// <summary>The decode steps of every request whose tokens matched its deltas one to one.</summary>
    public IEnumerable<StepTiming> StepTimings => AllTurns.SelectMany(t => t.Steps);

    /// <summary>The engine alone on the same decode work, replayed right after this transport (with --local), or null.</summary>
    public EngineReplayResult? EngineAlone { get; init; }

    /// <summary>The server's per-token overhead on this transport, or null when no request's tokens could be matched.</summary>
    public PerTokenOverhead? PerToken => PerTokenOverhead.Of(this);

    public Percentiles InterToken => Percentiles.Of(AllTurns.SelectMany(t => t.InterTokenMs).ToArray());

    public Percentiles TurnOverhead => Percentiles.Of(AllTurns.Select(t => t.OverheadMs).Where(v => !double.IsNaN(v)).ToArray());

    /// <summary>Whether every turn's overhead came from server-reported timing rather than the TTFT approximation.</summary>
    public bool OverheadFromServer => AllTurns.All(t => t.ServerMs is not null);

    public int OutputTokens => AllTurns.Sum(t => t.OutputTokens);

    /// <summary>Prompt tokens over all turns, and how many the server served from its KV cache (KV reuse at work).</summary>
    public (int Input, int Cached) PromptTokens => (AllTurns.Sum(t => t.InputTokens), AllTurns.Sum(t => t.CachedTokens));

    /// <summary>Output tokens of all conversations over the run's wall time: throughput at this concurrency.</summary>
    public double OutputTokensPerSecond => WallMs <= 0 ? 0 : OutputTokens / (WallMs / 1000.0);

    /// <summary>Turns of all conversations over the run's wall time.</summary>
    public double TurnsPerSecond => WallMs <= 0 ? 0 : AllTurns.Count() / (WallMs / 1000.0);

    /// <summary>
    /// The most requests the client had in flight at one moment: <see cref="Concurrency"/> when the conversations
    /// really overlapped (a server that runs one generation at a time still holds the others queued).
    /// </summary>
    public int MaxInFlight => RequestSpan.MaxInFlight(AllTurns.SelectMany(t => t.Requests));

    /// <summary>Mean end-to-end time of a conversation.</summary>
    public double EndToEndMs => ConversationMs.Count == 0 ? 0 : ConversationMs.Average();

    /// <summary>Mean TTFT of each turn number across conversations: shows what KV reuse does to later turns.</summary>
    public double[] TtftByTurn(int turns)
    {
        var result = new double[turns];
        for (int i = 0; i < turns; i++)
        {
            var values = Conversations.Where(c => c.Count > i && !double.IsNaN(c[i].TtftMs)).Select(c => c[i].TtftMs).ToArray();
            result[i] = values.Length == 0 ? double.NaN : values.Average();
        }
        return result;
    }
}
