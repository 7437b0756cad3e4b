namespace Spark.Cli.Bench.Latency;

/// <summary>One conversation's way to the server: sends a turn and times its stream of events.</summary>
internal interface IConversationChannel : IAsyncDisposable
{
    /// <summary>Sends <paramref name="request"/> and returns what the client measured once the response ended.</summary>
    Task<TurnMeasurement> RunTurnAsync(int turn, TurnRequest request, CancellationToken cancellationToken);
}
