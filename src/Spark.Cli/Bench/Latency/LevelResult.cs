namespace Spark.Cli.Bench.Latency;

/// <summary>One concurrency level of a run: every transport's result with that many conversations at once.</summary>
/// <param name="Concurrency">Conversations at once.</param>
/// <param name="Transports">Each transport's result, in the order they ran.</param>
internal sealed record LevelResult(int Concurrency, IReadOnlyList<TransportResult> Transports);
