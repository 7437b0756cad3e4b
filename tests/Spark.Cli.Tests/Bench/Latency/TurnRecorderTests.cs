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
        Assert.Empty(turn.Steps); // 6 tokens in 2 deltas (the name came first): its steps cannot be matched to deltas
    }

    private static string Completed(int outputTokens, string timing) =>
        """{"type":"response.completed","sequence_number":9,"response":{"id":"resp_9","object":"response","created_at":1,"status":"completed","model":"m","output":[],"usage":{"input_tokens":700,"input_tokens_details":{"cached_tokens":0},"output_tokens":"""
        + outputTokens + ""","output_tokens_details":{"reasoning_tokens":0},"total_tokens":800""" + timing + "}}}";

    [Fact]
    public void Observe_OneDeltaPerToken_KeepsTheStepsWithTheServersTimingOfThem()
    {
        var recorder = new TurnRecorder(1);
        for (int i = 0; i < 4; i++) recorder.Observe(Delta);
        Assert.True(recorder.Observe(Completed(4, ""","spark_timing":{"queue_ms":0,"compute_ms":90,"decode_steps":3,"decode_forward_ms":30,"decode_span_ms":33}""")));
        var step = Assert.Single(recorder.Result!.Steps);
        Assert.Equal((3, 700, 30.0, 33.0), (step.Steps, step.ContextTokens, step.ServerForwardMs, step.ServerSpanMs));
        Assert.True(step.ClientMs >= 0);
    }

    [Theory]
    [InlineData(4, 5, "")] // a token without its own delta (held back, or merged into another)
    [InlineData(1, 1, "")] // one token: no step between two deltas
    [InlineData(4, 4, ""","spark_timing":{"queue_ms":0,"compute_ms":9,"decode_steps":2,"decode_forward_ms":3,"decode_span_ms":4}""")] // the server counted other steps
    public void Observe_DeltasThatDoNotMapOntoTokens_KeepNoSteps(int deltas, int outputTokens, string timing)
    {
        var recorder = new TurnRecorder(1);
        for (int i = 0; i < deltas; i++) recorder.Observe(Delta);
        Assert.True(recorder.Observe(Completed(outputTokens, timing)));
        Assert.Empty(recorder.Result!.Steps);
    }

    [Fact]
    public void Observe_BlankFirstDelta_KeepsNoSteps()
    {
        // with tools offered, leading whitespace may be held back and sent together with the next token's text
        var recorder = new TurnRecorder(1);
        recorder.Observe(Delta.Replace("\"hi\"", "\" \\n\""));
        for (int i = 0; i < 3; i++) recorder.Observe(Delta);
        Assert.True(recorder.Observe(Completed(4, "")));
        Assert.Empty(recorder.Result!.Steps);
    }

    [Fact]
    public void Combine_AgentTurn_AddsTimesTokensAndOverheads_KeepsTheCallsTtft()
    {
        var call = new TurnMeasurement(3, 40, [5, 6], 100, 90, 10, "resp_call", 500, 400) { CallId = "c", Steps = [new StepTiming(9, 11, 500, 8, 9)] };
        var answer = new TurnMeasurement(3, 30, [7], 80, 75, 4, "resp_answer", 520, 510) { Steps = [new StepTiming(3, 7, 520, null, null)] };
        var turn = TurnMeasurement.Combine(call, answer);
        Assert.Equal((3, 40.0, 30.0), (turn.Turn, turn.TtftMs, turn.ContinuationTtftMs));
        Assert.Equal([5.0, 6, 7], turn.InterTokenMs);
        Assert.Equal((180.0, 165.0), (turn.WallMs, turn.ServerMs!.Value));
        Assert.Equal(15, turn.OverheadMs, 6); // 10 + 5: each request's wall time minus its server time
        Assert.Equal((14, 1020, 910, "resp_answer"), (turn.OutputTokens, turn.InputTokens, turn.CachedTokens, turn.ResponseId));
        Assert.Equal([9, 3], turn.Steps.Select(s => s.Steps)); // each request's steps kept apart: they are replayed at their own positions
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
