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
    public void Observe_ToolCallArguments_AreOutputTokens_AndTheCallIdIsKept()
    {
        const string args = """{"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc","output_index":0,"delta":"{\"command\""}""";
        var recorder = new TurnRecorder(1);
        Assert.False(recorder.Observe(args));
        Assert.False(recorder.Observe(args));
        Assert.True(recorder.Observe("""{"type":"response.completed","sequence_number":9,"response":{"id":"resp_7","object":"response","created_at":1,"status":"completed","model":"m","output":[{"type":"function_call","id":"fc","call_id":"call_42","name":"run_command","arguments":"{}","status":"completed"}],"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":6,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":11}}}"""));
        var turn = recorder.Result!;
        Assert.Equal("call_42", turn.CallId);
        Assert.False(double.IsNaN(turn.TtftMs));
        Assert.Single(turn.InterTokenMs);
        Assert.Equal(5, turn.DecodeSteps); // 6 tokens: the first, then 5 decode steps between the first and the last delta
    }

    [Fact]
    public void Combine_AgentTurn_AddsTimesTokensAndOverheads_KeepsTheCallsTtft()
    {
        var call = new TurnMeasurement(3, 40, [5, 6], 100, 90, 10, "resp_call", 500, 400) { CallId = "c", DecodeSpanMs = 11, DecodeSteps = 9 };
        var answer = new TurnMeasurement(3, 30, [7], 80, 75, 4, "resp_answer", 520, 510) { DecodeSpanMs = 7, DecodeSteps = 3 };
        var turn = TurnMeasurement.Combine(call, answer);
        Assert.Equal((3, 40.0, 30.0), (turn.Turn, turn.TtftMs, turn.ContinuationTtftMs));
        Assert.Equal([5.0, 6, 7], turn.InterTokenMs);
        Assert.Equal((180.0, 165.0), (turn.WallMs, turn.ServerMs!.Value));
        Assert.Equal(15, turn.OverheadMs, 6); // 10 + 5: each request's wall time minus its server time
        Assert.Equal((14, 1020, 910, "resp_answer"), (turn.OutputTokens, turn.InputTokens, turn.CachedTokens, turn.ResponseId));
        Assert.Equal((18.0, 12), (turn.DecodeSpanMs, turn.DecodeSteps));
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
