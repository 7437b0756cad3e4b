using Spark.Protocol.Responses;

namespace Spark.Server.Responses;

/// <summary>
/// Holds back a response's terminal event (<c>response.completed</c>, <c>.incomplete</c>, <c>.failed</c>) until
/// <c>persist</c> has stored the final response, so a client that continues the moment it reads the event (even on
/// another server sharing the store) finds it. Every other event passes straight through.
/// </summary>
internal sealed class PersistingEventSink(IResponseEventSink inner, Func<ResponseObject, CancellationToken, Task> persist) : IResponseEventSink
{
    private ResponseLifecycleEvent? _terminal;

    public void Write(ResponseStreamEvent streamEvent)
    {
        if (streamEvent is ResponseLifecycleEvent { Type: ResponseEventTypes.Completed or ResponseEventTypes.Incomplete or ResponseEventTypes.Failed } terminal)
            _terminal = terminal;
        else
            inner.Write(streamEvent);
    }

    public void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta) =>
        inner.WriteTextDelta(sequenceNumber, itemId, outputIndex, contentIndex, delta);

    public void WriteArgumentsDelta(int sequenceNumber, string itemId, int outputIndex, ReadOnlySpan<char> delta) =>
        inner.WriteArgumentsDelta(sequenceNumber, itemId, outputIndex, delta);

    public void WriteHeartbeat() => inner.WriteHeartbeat();

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_terminal is { } terminal)
        {
            _terminal = null;
            await persist(terminal.Response, cancellationToken);
            inner.Write(terminal);
        }
        await inner.FlushAsync(cancellationToken);
    }
}
