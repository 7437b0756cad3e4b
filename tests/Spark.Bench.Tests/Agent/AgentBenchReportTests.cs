using System.Text.Json;
using System.Xml.Linq;
using Spark.Bench.Agent;

namespace Spark.Bench.Tests.Agent;

public class AgentBenchReportTests
{
    private static AgentBenchReport Report()
    {
        var solved = new AgentTask("py-fix", "/s/py-fix", "fix it", 300);
        var slow = new AgentTask("cs-slow", "/s/cs-slow", "build it", 60);
        var timing = new AgentTiming(10_000, 4_000, 3_000, 2_000, 1_000, "client");
        return new AgentBenchReport("bench/tasks", "the built-in synthetic model (in-process)",
        [
            new AgentTaskResult(solved, AgentTaskOutcome.Passed, 0, 12_500, new ExecTranscript(timing, 4, 3, 120, null), ""),
            new AgentTaskResult(slow, AgentTaskOutcome.Timeout, null, 60_000, new ExecTranscript(null, 0, 0, 0, null), "the agent ran past timeout_s = 60 and was killed"),
        ], new DateTimeOffset(2026, 12, 7, 14, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Json_HasEachTasksOutcomeAndDurationSplit()
    {
        using var doc = JsonDocument.Parse(Report().Json());
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("passed").GetInt32());
        Assert.Equal(2, root.GetProperty("total").GetInt32());
        Assert.Equal("2026-12-07T14:00:00Z", root.GetProperty("date").GetString());
        var tasks = root.GetProperty("tasks");
        var first = tasks[0];
        Assert.Equal("py-fix", first.GetProperty("name").GetString());
        Assert.Equal("pass", first.GetProperty("outcome").GetString());
        Assert.True(first.GetProperty("passed").GetBoolean());
        Assert.Equal(2_500, first.GetProperty("startup_ms").GetDouble());
        var timing = first.GetProperty("timing");
        Assert.Equal(4_000, timing.GetProperty("prefill_ms").GetDouble());
        Assert.Equal(3_000, timing.GetProperty("generation_ms").GetDouble());
        Assert.Equal(2_000, timing.GetProperty("tool_ms").GetDouble());
        Assert.Equal(1_000, timing.GetProperty("network_ms").GetDouble());
        Assert.Equal("timeout", tasks[1].GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, tasks[1].GetProperty("timing").ValueKind);
        Assert.Equal(JsonValueKind.Null, tasks[1].GetProperty("agent_exit_code").ValueKind);
        var totals = root.GetProperty("totals_ms");
        Assert.Equal(4_000, totals.GetProperty("prefill_ms").GetDouble());
        Assert.Equal(62_500, totals.GetProperty("startup_ms").GetDouble()); // the killed task's whole time counts as start-up: nothing was reported
    }

    [Fact]
    public void Table_ShowsOutcomesSecondsAndThePassCount()
    {
        string table = Report().Table();
        Assert.Matches(@"\| py-fix +\| pass +\|", table);
        Assert.Matches(@"\| cs-slow +\| timeout +\|", table);
        Assert.Contains("4.00", table); // prefill seconds
        Assert.Contains("1 of 2 tasks passed", table);
        Assert.Contains("1/2 pass", table);
    }

    [Fact]
    public void Chart_IsValidSvg_WithOneStackedSegmentPerReportedPart()
    {
        var svg = XDocument.Parse(AgentDurationChart.Render(Report().Results));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var titles = svg.Descendants(ns + "rect").Select(r => r.Element(ns + "title")?.Value).OfType<string>().ToArray();
        Assert.Equal(["py-fix prefill: 4.00 s", "py-fix generation: 3.00 s", "py-fix tools: 2.00 s", "py-fix network/overhead: 1.00 s", "py-fix start-up: 2.50 s", "cs-slow start-up: 60.00 s"], titles);
    }

    [Fact]
    public void WriteTo_WritesJsonMarkdownAndChart()
    {
        using var dir = new Spark.Testing.TempDirectory();
        var files = Report().WriteTo(dir.Path);
        Assert.Equal(["report.json", "report.md", "agent-durations.svg"], files.Select(Path.GetFileName));
        string md = File.ReadAllText(dir.File("report.md"));
        Assert.Contains("**1 of 2 tasks passed.**", md);
        Assert.Contains("![agent time per task](agent-durations.svg)", md);
    }
}
