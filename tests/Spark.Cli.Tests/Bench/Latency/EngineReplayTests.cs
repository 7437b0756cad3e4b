using Spark.Cli.Bench.Latency;
using Spark.Engine.Inference;
using Spark.Engine.Tensors;
using Spark.Testing;

namespace Spark.Cli.Tests.Bench.Latency;

public class EngineReplayTests
{
    [Fact]
    public void Run_ReplaysEveryServedRequestsSteps_TimingForwardPassesWithinTheSteps()
    {
        using var dir = new TempDirectory();
        using var model = SparkModel.Load(TestModels.Write(dir.File("tiny.gguf"), TestModels.Qwen2(type: GgmlType.Q8_0)), new ModelLoadOptions { Threads = 1, ContextLength = 128 });
        // out of order and overlapping: the replay cuts the cache back for the shorter context
        StepTiming[] served = [new(5, 1.0, 40, null, null), new(3, 1.0, 20, null, null), new(4, 1.0, 41, null, null)];
        var result = EngineReplay.Run(model, served, CancellationToken.None)!;
        Assert.Equal(12, result.Steps);
        Assert.Equal(served, result.Requests);
        Assert.True(result.ForwardMs > 0 && result.ForwardMs <= result.StepMs, $"forward {result.ForwardMs} ms within steps {result.StepMs} ms");
    }

    [Fact]
    public void Run_NothingServedWasMatched_IsNull()
    {
        using var dir = new TempDirectory();
        using var model = SparkModel.Load(TestModels.Write(dir.File("tiny.gguf"), TestModels.Qwen2(type: GgmlType.Q8_0)), new ModelLoadOptions { Threads = 1, ContextLength = 128 });
        Assert.Null(EngineReplay.Run(model, [], CancellationToken.None));
    }

    [Fact]
    public void Choose_PastTheStepBudget_TakesEveryKthRequest_AndSkipsWhatCannotFit()
    {
        var many = Enumerable.Range(0, 100).Select(i => new StepTiming(10, 1, 100 + i, null, null)).ToArray();
        var chosen = EngineReplay.Choose(many, contextLength: 4096);
        Assert.InRange(chosen.Sum(r => r.Steps), EngineReplay.MaxSteps / 2, EngineReplay.MaxSteps);
        Assert.Equal(100, chosen[0].ContextTokens);
        Assert.Empty(EngineReplay.Choose([new StepTiming(10, 1, 4090, null, null)], contextLength: 4096)); // 4090 + 10 steps > 4096
    }

    [Fact]
    public void PerTokenOverhead_WithAReplay_ComparesTheSameRequestsOnBothSides_AgainstTheEngineThreadFirst()
    {
        StepTiming replayed = new(10, ClientMs: 110, ContextTokens: 500, ServerForwardMs: 95, ServerSpanMs: 104);
        StepTiming skipped = new(10, ClientMs: 500, ContextTokens: 600, ServerForwardMs: 95, ServerSpanMs: 104);
        var turns = new[] { new TurnMeasurement(1, 5, [], 200, 190, 11, "r") { Steps = [replayed, skipped] } };
        var result = new TransportResult(BenchTransport.WebSocket, 1, [turns], 200, [200]) { EngineAlone = new EngineReplayResult([replayed], 10, StepMs: 100, ForwardMs: 90) };
        var o = result.PerToken!;
        Assert.Equal((1, 10), (o.Requests, o.Steps));
        // the engine thread's own steps while serving are the primary baseline; the replay is the second figure
        Assert.Equal((11.0, 10.4, 10.4, 9.5), (o.ServedMsPerToken, o.EngineMsPerToken, o.WhileServingMsPerToken!.Value, o.WhileServingForwardMsPerToken!.Value));
        Assert.Equal("engine_thread_while_serving", o.Baseline);
        Assert.Equal((11.0 - 10.4) / 10.4 * 100, o.Percent, 9);
        Assert.Equal(10, o.PercentVsEngineAlone, 9); // 11 ms served vs 10 ms replayed
        Assert.Equal((11.0 - 9.5) / 9.5 * 100, o.PercentVsForwardPass, 9);
    }

    [Fact]
    public void PerTokenOverhead_WithAReplayButNoServerTiming_IsAgainstTheReplay()
    {
        StepTiming replayed = new(10, ClientMs: 110, ContextTokens: 500, ServerForwardMs: null, ServerSpanMs: null);
        var turns = new[] { new TurnMeasurement(1, 5, [], 200, 190, 11, "r") { Steps = [replayed] } };
        var o = new TransportResult(BenchTransport.WebSocket, 1, [turns], 200, [200]) { EngineAlone = new EngineReplayResult([replayed], 10, StepMs: 100, ForwardMs: 90) }.PerToken!;
        Assert.Equal("engine_alone_replay", o.Baseline);
        Assert.Equal(10.0, o.EngineMsPerToken);
        Assert.Equal(10, o.Percent, 9);
        Assert.True(double.IsNaN(o.PercentVsForwardPass));
    }

    [Fact]
    public void PerTokenOverhead_WithoutAReplay_IsAgainstTheEngineThreadWhileServing()
    {
        var turns = new[] { new TurnMeasurement(1, 5, [], 200, 190, 11, "r") { Steps = [new StepTiming(4, 42, 500, 36, 40)] } };
        var o = new TransportResult(BenchTransport.HttpNew, 1, [turns], 200, [200]).PerToken!;
        Assert.Equal("engine_thread_while_serving", o.Baseline);
        Assert.Equal(5, o.Percent, 9); // 10.5 ms served vs 10 ms on the engine thread
        Assert.True(double.IsNaN(o.PercentVsEngineAlone)); // no replay against a server this process does not run
        Assert.Null(new TransportResult(BenchTransport.HttpNew, 1, [[new TurnMeasurement(1, 5, [], 200, 190, 1, "r")]], 200, [200]).PerToken);
    }
}
