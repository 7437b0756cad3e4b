using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Responses;

namespace Spark.Server.Tests.Responses;

public class ResponseRunnerTests
{
    private static readonly ResponseObject Shell = new() { Id = "resp_1", CreatedAt = 1, Status = ResponseStatus.InProgress, Model = "m" };

    [Fact]
    public async Task FailedGeneration_EndsWithResponseFailedCarryingTheError()
    {
        var generation = new ScriptedGeneration(["Hel", "lo"], new GenerationOutcome(FinishReason.Failed, 5, 0, 2, new InvalidOperationException("kernel exploded")));
        var sink = new RecordingSink();
        var final = await new ResponseRunner(Shell, generation, sink).RunAsync(CancellationToken.None);

        Assert.Equal(ResponseStatus.Failed, final.Status);
        Assert.Contains("kernel exploded", final.Error!.Message);
        Assert.Equal("server_error", final.Error.Code);
        Assert.Equal(ResponseEventTypes.Failed, sink.Events[^1].Type);
        var done = Assert.IsType<OutputItemEvent>(sink.Events[^2]);
        Assert.Equal(ResponseStatus.Incomplete, ((MessageItem)done.Item).Status);
        Assert.Equal("Hello", final.OutputText());
        Assert.Equal(["Hel", "lo"], sink.Deltas);
    }

    [Fact]
    public async Task Stop_EndsCompletedWithUsage_AndSequenceNumbersCountEveryEvent()
    {
        var generation = new ScriptedGeneration(["a", "b", "c"], new GenerationOutcome(FinishReason.Stop, 10, 4, 3));
        var sink = new RecordingSink();
        var final = await new ResponseRunner(Shell, generation, sink).RunAsync(CancellationToken.None);

        Assert.Equal(ResponseStatus.Completed, final.Status);
        Assert.Null(final.IncompleteDetails);
        Assert.Equal(ResponseUsage.Of(10, 4, 3), final.Usage);
        Assert.Equal(Enumerable.Range(0, sink.Events.Count + sink.Deltas.Count), sink.SequenceNumbers.Order());
        Assert.Equal(ResponseEventTypes.Completed, sink.Events[^1].Type);
    }

    private sealed class ScriptedGeneration(string[] pieces, GenerationOutcome outcome) : IGeneration
    {
        private int _next;

        public ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(_next < pieces.Length ? GenerationStep.OfText(pieces[_next++].AsMemory()) : GenerationStep.Finished(outcome));

        public void Dispose() { }
    }

    private sealed class RecordingSink : IResponseEventSink
    {
        public List<ResponseStreamEvent> Events { get; } = [];
        public List<string> Deltas { get; } = [];
        public List<int> SequenceNumbers { get; } = [];

        public void Write(ResponseStreamEvent streamEvent)
        {
            Events.Add(streamEvent);
            SequenceNumbers.Add(streamEvent.SequenceNumber);
        }

        public void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta)
        {
            Deltas.Add(delta.ToString());
            SequenceNumbers.Add(sequenceNumber);
        }

        public void WriteHeartbeat() { }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
