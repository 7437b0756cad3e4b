namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The server's per-token overhead for one transport: how much longer a streamed token took as the client saw it
/// than the engine needs for the same decode step. "Served" is the client's time from a request's first delta to
/// its last over the decode steps between them (so it is the token rate, not one token's delivery delay). The
/// primary baseline is the engine thread's own first-to-last token time over exactly those steps, which Spark reports
/// per request (<c>usage.spark_timing.decode_span_ms</c>): measured on the very same steps, so the machine's noise
/// cancels. When the benchmark runs the server itself it also replays those steps on the engine alone right after the
/// transport (<see cref="EngineReplay"/>), a second figure: minutes apart on a shared machine it moves ±20%, so it
/// is the primary baseline only when the server does not report its own steps. What the difference holds:
/// detokenization, event JSON, SSE/WebSocket framing, the hand-off to the request's stream and the socket — and,
/// against the replay, whatever that work took from the engine's cores while it ran.
/// </summary>
/// <param name="Requests">Requests measured (text answers whose every token arrived as its own delta).</param>
/// <param name="Steps">Decode steps they cover.</param>
/// <param name="ServedMsPerToken">The client's time per token.</param>
/// <param name="EngineAlone">The replay, or null (a server this process does not run).</param>
/// <param name="WhileServingMsPerToken">The engine thread's first-to-last token time per step while serving (forward pass, sampling, hand-off), or null when the server does not report it.</param>
/// <param name="WhileServingForwardMsPerToken">Of that, the forward passes, or null.</param>
internal sealed record PerTokenOverhead(int Requests, int Steps, double ServedMsPerToken, EngineReplayResult? EngineAlone,
    double? WhileServingMsPerToken, double? WhileServingForwardMsPerToken)
{
    /// <summary>The baseline the overhead is against: the engine thread while serving when the server reports it, else the replay.</summary>
    public double EngineMsPerToken => WhileServingMsPerToken ?? EngineAlone?.MsPerToken ?? double.NaN;

    /// <summary>Which baseline <see cref="EngineMsPerToken"/> is: <c>engine_thread_while_serving</c> or <c>engine_alone_replay</c>.</summary>
    public string Baseline => WhileServingMsPerToken is not null ? "engine_thread_while_serving" : EngineAlone is not null ? "engine_alone_replay" : "none";

    /// <summary>(served − engine) / engine, in percent; NaN without a baseline.</summary>
    public double Percent => PercentOver(EngineMsPerToken);

    /// <summary>(served − engine alone) / engine alone, in percent: the secondary, replayed baseline; NaN without a replay.</summary>
    public double PercentVsEngineAlone => PercentOver(EngineAlone?.MsPerToken ?? double.NaN);

    /// <summary>(served − forward passes while serving) / forward passes, in percent: everything beyond the forward pass (sampling included); NaN when not reported.</summary>
    public double PercentVsForwardPass => PercentOver(WhileServingForwardMsPerToken ?? double.NaN);

    private double PercentOver(double engine) => engine > 0 ? (ServedMsPerToken - engine) / engine * 100 : double.NaN;

    /// <summary>The overhead of <paramref name="result"/>'s matched requests, or null when none could be matched.</summary>
    public static PerTokenOverhead? Of(TransportResult result)
    {
        var requests = result.EngineAlone?.Requests ?? result.StepTimings.ToArray();
        int steps = requests.Sum(r => r.Steps);
        if (steps == 0) return null;
        bool reported = requests.All(r => r.ServerSpanMs is not null && r.ServerForwardMs is not null);
        return new PerTokenOverhead(requests.Length, steps, requests.Sum(r => r.ClientMs) / steps, result.EngineAlone,
            reported ? requests.Sum(r => r.ServerSpanMs!.Value) / steps : null,
            reported ? requests.Sum(r => r.ServerForwardMs!.Value) / steps : null);
    }

    /// <summary>How the figures were measured, for report.json and report.md.</summary>
    public const string Method =
        "Per-token times over the decode steps of text answers whose every token arrived as its own delta (no tool grammar on "
        + "either side). served = the client's first-to-last delta time over the steps between them; engine alone = the same "
        + "requests' steps (same prompt lengths, same step count, same default sampler, same model instance) replayed right "
        + "after the transport with the server idle, forward pass + sampling per step; engine while serving = the server's "
        + "own first-to-last token time of those requests (usage.spark_timing.decode_span_ms, forward part decode_forward_ms). "
        + "percent = (served - engine) / engine, against engine while serving when the server reports it (the same steps, so the "
        + "machine's noise cancels), else against engine alone; percent_vs_engine_alone and percent_vs_forward_pass are the same "
        + "difference against the replay and against the forward passes while serving.";
}
