using System.Diagnostics;
using Spark.Engine.Inference;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The engine's own time per generated token on the served model, measured in the same process right after the
/// transports ran (the server idle): a fresh session is prefilled to the conversations' typical prompt length, then
/// decode steps are timed one by one. Set against the inter-token latency the client saw, it gives the server's
/// per-token overhead (sampling, detokenization, event writing, the hand-off to the request) in one run.
/// </summary>
internal static class EngineDecodeBaseline
{
    /// <summary>Decode steps timed: enough for stable percentiles, a few seconds on a 0.5B model.</summary>
    public const int Steps = 64;

    /// <summary>Milliseconds per decode step after <paramref name="contextTokens"/> prompt tokens, over <paramref name="steps"/> steps.</summary>
    public static EngineBaselineResult Measure(SparkModel model, int contextTokens, int steps)
    {
        int context = Math.Clamp(contextTokens, 1, Math.Max(1, model.ContextLength - steps - 1));
        var random = new Random(42); // fixed tokens: llama-bench also feeds random ids, no tokenizer needed
        var prompt = new int[context];
        for (int i = 0; i < prompt.Length; i++) prompt[i] = random.Next(model.VocabSize);
        var session = model.CreateSession();
        session.Prefill(prompt);
        var samples = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            long started = Stopwatch.GetTimestamp();
            session.Decode(random.Next(model.VocabSize));
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        return new EngineBaselineResult(Percentiles.Of(samples), samples.Average(), context);
    }

    /// <summary>The typical prompt length the served conversations decoded after: their prompt tokens over their requests.</summary>
    public static int TypicalContext(IReadOnlyList<TransportResult> results, bool toolCalls)
    {
        int requests = results.Sum(r => r.Conversations.Sum(c => c.Count)) * (toolCalls ? 2 : 1);
        return requests == 0 ? 1 : Math.Max(1, results.Sum(r => r.PromptTokens.Input) / requests);
    }

    /// <summary>How much longer a token took as the client saw it than the engine alone needs, in percent (means).</summary>
    public static double OverheadPercent(TransportResult result, EngineBaselineResult engine) =>
        double.IsNaN(result.ClientMsPerToken) || engine.MeanMs <= 0 ? double.NaN : (result.ClientMsPerToken - engine.MeanMs) / engine.MeanMs * 100;
}

/// <summary>The engine's per-token time measured by <see cref="EngineDecodeBaseline"/>.</summary>
/// <param name="DecodeMs">Milliseconds per decode step.</param>
/// <param name="MeanMs">Their mean.</param>
/// <param name="ContextTokens">The prompt length the steps followed.</param>
internal sealed record EngineBaselineResult(Percentiles DecodeMs, double MeanMs, int ContextTokens);
