using Spark.Protocol.Responses;

namespace Spark.Server.Responses;

/// <summary>
/// Where a <see cref="ResponseRunner"/> sends its events: an SSE stream, later a WebSocket, or nowhere (a
/// non-streaming request). Writes are buffered; <see cref="FlushAsync"/> puts them on the wire.
/// </summary>
internal interface IResponseEventSink
{
    void Write(ResponseStreamEvent streamEvent);

    /// <summary>The per-token event, written without allocating.</summary>
    void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta);

    /// <summary>The per-token event of a streamed function call; sinks on a hot path override it to write without allocating.</summary>
    void WriteArgumentsDelta(int sequenceNumber, string itemId, int outputIndex, ReadOnlySpan<char> delta) =>
        Write(new FunctionCallArgumentsDeltaEvent(sequenceNumber, itemId, outputIndex, delta.ToString()));

    /// <summary>Something that keeps an idle stream alive (an SSE comment); nothing where that is not needed.</summary>
    void WriteHeartbeat();

    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>The sink of a non-streaming request: the runner's result is all that matters.</summary>
internal sealed class DiscardingEventSink : IResponseEventSink
{
    public static readonly DiscardingEventSink Instance = new();

    public void Write(ResponseStreamEvent streamEvent) { }

    public void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta) { }

    public void WriteArgumentsDelta(int sequenceNumber, string itemId, int outputIndex, ReadOnlySpan<char> delta) { }

    public void WriteHeartbeat() { }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
