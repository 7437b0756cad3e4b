using Spark.Cli.Bench.Latency;

namespace Spark.Cli.Tests.Bench.Latency;

public class TurnRecorderTests
{
    private const string Delta = """{"type":"response.output_text.delta","sequence_number":3,"item_id":"m","output_index":0,"content_index":0,"delta":"hi"}""";

    [Fact]
    public void Observe_DeltasThenCompleted_RecordsGapsUsageAndServerTiming()
    {
        var recorder = new TurnRecorder(2);
        Assert.False(recorder.Observe("""{"type":"response.created","sequence_number":0,"response":{"id":"resp_9","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}}"""));
        Assert.False(recorder.Observe(Delta));
        Assert.False(recorder.Observe(Delta));
        Assert.False(recorder.Observe(Delta));
        Assert.True(recorder.Observe("""{"type":"response.completed","sequence_number":9,"response":{"id":"resp_9","object":"response","created_at":1,"status":"completed","model":"m","output":[],"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":8,"spark_timing":{"queue_ms":0.5,"compute_ms":2}}}}"""));
        var turn = recorder.Result!;
        Assert.Equal((2, "resp_9", 3), (turn.Turn, turn.ResponseId, turn.OutputTokens));
        Assert.Equal(2, turn.InterTokenMs.Length);
        Assert.Equal(2.5, turn.ServerMs);
        Assert.Equal((5, 0), (turn.InputTokens, turn.CachedTokens));
        Assert.True(turn.TtftMs >= 0 && turn.WallMs >= turn.TtftMs);
    }

    [Fact]
    public void Observe_WebSocketErrorFrame_ThrowsWithTheServersMessage()
    {
        var recorder = new TurnRecorder(1);
        var e = Assert.Throws<BenchServerException>(() => recorder.Observe("""{"type":"error","status":404,"error":{"type":"invalid_request_error","message":"model 'x' is not served here"}}"""));
        Assert.Contains("model 'x' is not served here", e.Message);
    }

    [Fact]
    public void Observe_FailedResponse_Throws()
    {
        var recorder = new TurnRecorder(1);
        var e = Assert.Throws<BenchServerException>(() => recorder.Observe("""{"type":"response.failed","sequence_number":4,"response":{"id":"r","object":"response","created_at":1,"status":"failed","model":"m","output":[],"error":{"code":"server_error","message":"boom"}}}"""));
        Assert.Contains("boom", e.Message);
    }
}
