using Spark.Bench.Engine;
using Spark.Bench.Reports;
using Spark.Bench.Statistics;

namespace Spark.Bench.Tests.Reports;

public class EngineReportTests
{
    private static EngineBenchResult Result() => new()
    {
        Model = new ModelFacts
        {
            Path = "/m/qwen.gguf", Name = "qwen test", Architecture = "qwen2", Type = "Q8_0+Q4_K",
            SizeBytes = 500L << 20, Parameters = 494_000_000, WeightsBytesPerToken = 400L << 20,
        },
        Threads = 2,
        Kernels = "avx2",
        PromptTokens = 512,
        GeneratedTokens = 128,
        Reps = 3,
        Pp = SampleSummary.Of([30.0, 32.0, 34.0]),
        Tg = SampleSummary.Of([20.0, 21.0, 25.0]),
        MembwGbPerS = 30.0,
        MembwReadGbPerS = 33.0,
        Machine = MachineInfo.Current(),
        Date = new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void Format_ShowsOneAlignedRowPerTestWithMedianSpreadAndRange()
    {
        string text = EngineReport.Format(Result());
        string[] lines = text.Split('\n');

        Assert.StartsWith("| model", lines[0]);
        Assert.Contains("| pp512 |", lines[2]);
        Assert.Contains("32.00 ± 2.00", lines[2]);
        Assert.Contains("30.00–34.00", lines[2]);
        Assert.Contains("| tg128 |", lines[3]);
        Assert.Contains("21.00 ± 2.65", lines[3]);
        Assert.Contains("500.00 MiB", lines[2]);
        Assert.Contains("494.00 M", lines[2]);
        Assert.Contains("Q8_0+Q4_K", lines[2]);
        Assert.Equal(lines[0].Length, lines[2].Length); // padded columns
        Assert.Equal(lines[0].Length, lines[3].Length);
    }

    [Fact]
    public void Json_IsOneLineWithTheTypeAsWritten()
    {
        string json = BenchJson.Serialize(Result());
        Assert.DoesNotContain('\n', json);
        Assert.Contains("\"type\":\"Q8_0+Q4_K\"", json);
        Assert.Contains("\"tg_tokens_per_s\":21", json);
    }

    [Fact]
    public void Format_StatesTheRooflineAndTheShareReached()
    {
        var r = Result();
        string text = EngineReport.Format(r);

        // 30 GB/s ÷ 400 MiB = 71.5 tok/s; 21 tok/s is 0.29 of it.
        Assert.Equal(30e9 / (400L << 20), r.RooflineTokensPerS, 9);
        Assert.Contains("71.5 tok/s", text);
        Assert.Contains("reaches 0.29 of it", text);
        Assert.Contains("2026-11-25 15:00 UTC", text);
    }
}
