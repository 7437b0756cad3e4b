namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The server's per-token overhead for one transport: how much longer a streamed token took as the client saw it
/// than the engine needs for the same decode step. "Served" is the client's time from a request's first delta to
/// its last over the decode steps between them (so it is the token rate, not one token's delivery delay); the engine
/// side covers exactly those steps — replayed alone on the same model right after the transport when the benchmark
/// runs the server itself (<see cref="EngineReplay"/>), otherwise the engine thread's own first-to-last token time
/// the server reported for those requests. What the difference holds: detokenization, event JSON, SSE/WebSocket
/// framing, the hand-off to the request's stream and the socket — and, against the replay, whatever that work took
/// from the engine's cores while it ran.
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
    /// <summary>The baseline the overhead is against: the replay when there is one, else the engine thread while serving.</summary>
    public double EngineMsPerToken => EngineAlone?.MsPerToken ?? WhileServingMsPerToken ?? double.NaN;

    /// <summary>Which baseline <see cref="EngineMsPerToken"/> is: <c>engine_alone_replay</c> or <c>engine_thread_while_serving</c>.</summary>
    public string Baseline => EngineAlone is not null ? "engine_alone_replay" : "engine_thread_while_serving";

    /// <summary>(served − engine) / engine, in percent; NaN without a baseline.</summary>
    public double Percent => EngineMsPerToken is > 0 and var engine ? (ServedMsPerToken - engine) / engine * 100 : double.NaN;

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
        + "percent = (served - engine) / engine, against engine alone when measured (--local), else engine while serving.";
}
