using System.Diagnostics;
using Spark.Engine.Inference;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The engine's own time per token for exactly the decode work a transport's served requests did: the same model
/// instance, each request's decode steps at the same positions (its prompt length onwards) and in the same number,
/// sampled with the server's default sampler, no tool grammar (only text answers are matched) — run right after that
/// transport's conversations, with the server idle and nothing streamed. Token values do not change a step's cost
/// (attention reads every cached position whatever they hold), so fixed pseudo-random tokens stand in for the text.
/// </summary>
internal static class EngineReplay
{
    /// <summary>Most decode steps replayed per transport: enough for a stable mean, seconds on a 0.5B model.</summary>
    public const int MaxSteps = 256;

    private const int PrefillChunk = 256;

    /// <summary>
    /// Replays <paramref name="served"/> (or, past <see cref="MaxSteps"/>, every k-th of them) on
    /// <paramref name="model"/>; null when there is nothing to replay.
    /// </summary>
    public static EngineReplayResult? Run(SparkModel model, IReadOnlyList<StepTiming> served, CancellationToken cancellationToken)
    {
        var chosen = Choose(served, model.ContextLength);
        if (chosen.Length == 0) return null;
        var random = new Random(42);
        var session = model.CreateSession();
        var window = new int[64]; // the sampler's penalty window: the last prompt tokens, as the server accepts them
        long forward = 0, step = 0;
        foreach (var request in chosen.OrderBy(r => r.ContextTokens))
        {
            cancellationToken.ThrowIfCancellationRequested();
            MoveTo(session, request.ContextTokens, model.VocabSize, random);
            var sampler = new Sampler(new SamplerOptions(), model.VocabSize);
            for (int i = 0; i < window.Length; i++) sampler.Accept(window[i] = random.Next(model.VocabSize));
            int token = sampler.Sample(session.Logits); // the first token: not a decode step
            for (int i = 0; i < request.Steps; i++)
            {
                long started = Stopwatch.GetTimestamp();
                var logits = session.Decode(token);
                long decoded = Stopwatch.GetTimestamp();
                token = sampler.Sample(logits);
                sampler.Accept(token);
                long sampled = Stopwatch.GetTimestamp();
                forward += decoded - started;
                step += sampled - started;
            }
        }
        int steps = chosen.Sum(r => r.Steps);
        return new EngineReplayResult(chosen, steps, Ms(step), Ms(forward));
    }

    /// <summary>The requests to replay: all of them up to <see cref="MaxSteps"/> steps, else every k-th, in order.</summary>
    internal static StepTiming[] Choose(IReadOnlyList<StepTiming> served, int contextLength)
    {
        var fitting = served.Where(r => r.Steps > 0 && r.ContextTokens > 0 && r.ContextTokens + r.Steps < contextLength).ToArray();
        int total = fitting.Sum(r => r.Steps);
        if (total <= MaxSteps) return fitting;
        int every = (total + MaxSteps - 1) / MaxSteps;
        return fitting.Where((_, i) => i % every == 0).ToArray();
    }

    // the session's cache ends at `position`: cut back to it, or prefill filler tokens up to it
    private static void MoveTo(InferenceSession session, int position, int vocabSize, Random random)
    {
        if (session.Position > position) session.TruncateTo(position - 1);
        Span<int> chunk = stackalloc int[PrefillChunk];
        while (session.Position < position)
        {
            int n = Math.Min(PrefillChunk, position - session.Position);
            for (int i = 0; i < n; i++) chunk[i] = random.Next(vocabSize);
            session.Prefill(chunk[..n]); // the last prefilled position leaves its logits for the first token
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>What <see cref="EngineReplay"/> measured.</summary>
/// <param name="Requests">The served requests it replayed (the served side of the comparison uses the same ones).</param>
/// <param name="Steps">Decode steps replayed.</param>
/// <param name="StepMs">All steps' time: forward pass and sampling.</param>
/// <param name="ForwardMs">Of that, the forward passes alone.</param>
internal sealed record EngineReplayResult(StepTiming[] Requests, int Steps, double StepMs, double ForwardMs)
{
    /// <summary>The engine's own time per token: forward pass and sampling.</summary>
    public double MsPerToken => StepMs / Steps;

    /// <summary>The forward pass alone, per token.</summary>
    public double ForwardMsPerToken => ForwardMs / Steps;
}
