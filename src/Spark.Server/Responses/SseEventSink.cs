using System.IO.Pipelines;
using Spark.Protocol.Responses;
using Spark.Protocol.Sse;

namespace Spark.Server.Responses;

/// <summary>Writes Responses events as server-sent events into the HTTP response's pipe.</summary>
internal sealed class SseEventSink(PipeWriter output) : IResponseEventSink
{
    private readonly SseWriter _sse = new(output);

    public void Write(ResponseStreamEvent streamEvent)
    {
        ResponseEventJson.Write(_sse.BeginEvent(streamEvent.Type), streamEvent);
        _sse.EndEvent();
    }

    public void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta)
    {
        ResponseEventJson.WriteOutputTextDelta(_sse.BeginEvent(ResponseEventTypes.OutputTextDeltaUtf8), sequenceNumber, itemId, outputIndex, contentIndex, delta);
        _sse.EndEvent();
    }

    public void WriteArgumentsDelta(int sequenceNumber, string itemId, int outputIndex, ReadOnlySpan<char> delta)
    {
        ResponseEventJson.WriteFunctionCallArgumentsDelta(_sse.BeginEvent(ResponseEventTypes.FunctionCallArgumentsDeltaUtf8), sequenceNumber, itemId, outputIndex, delta);
        _sse.EndEvent();
    }

    /// <summary>A comment line that keeps proxies from closing an idle stream.</summary>
    public void WriteHeartbeat() => _sse.WriteComment("keep-alive"u8);

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var flush = output.FlushAsync(cancellationToken);
        return flush.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitFlush(flush);
    }

    private static async ValueTask AwaitFlush(ValueTask<FlushResult> flush) => await flush;
}
