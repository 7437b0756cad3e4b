namespace Spark.Cli.Bench.Latency;

/// <summary>
/// One request's decode steps — from its first output token to its last — as the client timed them and, when the
/// server reports it (Spark's <c>usage.spark_timing.decode_*</c>), as the engine did. Only requests whose every token
/// arrived as its own delta are kept (<see cref="TurnRecorder"/> decides), so the client's first and last delta are
/// the engine's first and last token and both sides cover the same <see cref="Steps"/>.
/// </summary>
/// <param name="Steps">Decode steps between the first and the last token (output tokens minus one).</param>
/// <param name="ClientMs">First delta received → last delta received, on the client.</param>
/// <param name="ContextTokens">The prompt's length: the first step decodes at this position.</param>
/// <param name="ServerForwardMs">The engine's forward passes over these steps, or null when the server does not say.</param>
/// <param name="ServerSpanMs">First token → last token on the engine's thread (forward passes, sampling, hand-off), or null.</param>
internal readonly record struct StepTiming(int Steps, double ClientMs, int ContextTokens, double? ServerForwardMs, double? ServerSpanMs);
