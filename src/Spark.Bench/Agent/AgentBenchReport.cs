using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spark.Bench.Reports;

namespace Spark.Bench.Agent;

/// <summary>
/// The results of <c>spark bench agent</c>: a table for the terminal, <c>report.json</c>, <c>report.md</c> and the
/// stacked-bar chart <c>agent-durations.svg</c>.
/// </summary>
/// <param name="Suite">The suite folder.</param>
/// <param name="Agent">What the agent ran against, e.g. <c>built-in model</c> or <c>http://127.0.0.1:8080 (qwen)</c>.</param>
/// <param name="Results">Every task's result, in run order.</param>
/// <param name="Date">When the run finished.</param>
public sealed record AgentBenchReport(string Suite, string Agent, IReadOnlyList<AgentTaskResult> Results, DateTimeOffset Date)
{
    /// <summary>Tasks whose check passed.</summary>
    public int Passed => Results.Count(r => r.Outcome == AgentTaskOutcome.Passed);

    /// <summary>The terminal table (Markdown), a totals row and the pass count.</summary>
    public string Table()
    {
        var table = new TextTable("task", "result", ">agent s", ">prefill s", ">generation s", ">tools s", ">network s", ">start-up s", ">requests", ">tool calls", "why not passed");
        foreach (var r in Results)
        {
            var s = AgentDurationChart.Split(r);
            table.Add(r.Task.Name, r.OutcomeName, Seconds(r.AgentMs), Seconds(s[0]), Seconds(s[1]), Seconds(s[2]), Seconds(s[3]), Seconds(s[4]),
                Int(r.Transcript.ModelRequests), Int(r.Transcript.ToolCalls), OneLine(r.Detail));
        }
        var totals = Totals();
        table.Add("total", $"{Passed}/{Results.Count} pass", Seconds(Results.Sum(r => r.AgentMs)), Seconds(totals[0]), Seconds(totals[1]), Seconds(totals[2]), Seconds(totals[3]), Seconds(totals[4]),
            Int(Results.Sum(r => r.Transcript.ModelRequests)), Int(Results.Sum(r => r.Transcript.ToolCalls)), "");
        return table + $"\n{Passed} of {Results.Count} tasks passed ({Agent}).\n";
    }

    /// <summary>Each segment summed over all tasks, in <see cref="AgentDurationChart.Segments"/> order.</summary>
    public double[] Totals()
    {
        var sum = new double[AgentDurationChart.Segments.Length];
        foreach (var r in Results)
        {
            var s = AgentDurationChart.Split(r);
            for (int i = 0; i < sum.Length; i++) sum[i] += s[i];
        }
        return sum;
    }

    /// <summary>report.json: the run, then one object per task with its outcome and duration split (milliseconds).</summary>
    public string Json()
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            j.WriteString("suite", Suite);
            j.WriteString("agent", Agent);
            j.WriteString("date", Date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            var machine = MachineInfo.Current();
            j.WriteString("machine", $"{machine.Cpu}, {machine.LogicalCores} logical cores, {machine.Os}, {machine.Runtime}");
            j.WriteNumber("passed", Passed);
            j.WriteNumber("total", Results.Count);
            j.WriteStartObject("totals_ms");
            var totals = Totals();
            j.WriteNumber("agent_ms", Round(Results.Sum(r => r.AgentMs)));
            j.WriteNumber("prefill_ms", Round(totals[0]));
            j.WriteNumber("generation_ms", Round(totals[1]));
            j.WriteNumber("tool_ms", Round(totals[2]));
            j.WriteNumber("network_ms", Round(totals[3]));
            j.WriteNumber("startup_ms", Round(totals[4]));
            j.WriteEndObject();
            j.WriteStartArray("tasks");
            foreach (var r in Results)
            {
                j.WriteStartObject();
                j.WriteString("name", r.Task.Name);
                j.WriteString("outcome", r.OutcomeName);
                j.WriteBoolean("passed", r.Outcome == AgentTaskOutcome.Passed);
                j.WriteNumber("timeout_s", r.Task.TimeoutSeconds);
                if (r.AgentExitCode is { } code) j.WriteNumber("agent_exit_code", code);
                else j.WriteNull("agent_exit_code");
                j.WriteNumber("agent_ms", Round(r.AgentMs));
                j.WriteNumber("startup_ms", Round(r.StartupMs));
                if (r.Transcript.Timing is { } t)
                {
                    j.WriteStartObject("timing");
                    j.WriteNumber("total_ms", Round(t.TotalMs));
                    j.WriteNumber("prefill_ms", Round(t.PrefillMs));
                    j.WriteNumber("generation_ms", Round(t.GenerationMs));
                    j.WriteNumber("tool_ms", Round(t.ToolMs));
                    j.WriteNumber("network_ms", Round(t.NetworkMs));
                    j.WriteString("source", t.Source);
                    j.WriteEndObject();
                }
                else j.WriteNull("timing");
                j.WriteNumber("model_requests", r.Transcript.ModelRequests);
                j.WriteNumber("tool_calls", r.Transcript.ToolCalls);
                j.WriteNumber("output_tokens", r.Transcript.OutputTokens);
                if (r.Transcript.Error is { } error) j.WriteString("agent_error", error);
                j.WriteString("detail", r.Detail);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>report.md: what ran, the table, the chart and how to read the columns.</summary>
    public string Markdown()
    {
        var md = new StringBuilder();
        md.Append("# spark bench agent\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Suite `{Suite}`, agent on {Agent}, {Date:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Current().Cpu} ({Environment.ProcessorCount} logical cores).\n\n");
        md.Append(CultureInfo.InvariantCulture, $"**{Passed} of {Results.Count} tasks passed.**\n\n");
        md.Append(Table().Split("\n\n")[0]).Append('\n');
        md.Append("\n![agent time per task](agent-durations.svg)\n\n");
        md.Append("Columns: `agent s` is the `spark exec` process's wall time; `prefill`, `generation`, `tools` and `network` split its turn as ")
          .Append("`turn.completed.timing` reports it (`source: server`: prefill and generation are the server's engine time and `network` holds the round trips and queueing; ")
          .Append("`source: client`: only the client's clocks, so prefill is request sent to first output and includes the network); ")
          .Append("`start-up` is the rest of the process (start, model load, server start). A timed-out agent is killed with its whole process tree and its task fails.\n");
        return md.ToString();
    }

    /// <summary>Writes report.json, report.md and agent-durations.svg into <paramref name="directory"/>; returns their paths.</summary>
    public IReadOnlyList<string> WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new[] { ("report.json", Json()), ("report.md", Markdown()), ("agent-durations.svg", AgentDurationChart.Render(Results)) };
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(directory, name), text);
        return files.Select(f => Path.Combine(directory, f.Item1)).ToArray();
    }

    private static double Round(double ms) => Math.Round(ms, 1);

    private static string Seconds(double ms) => (ms / 1000).ToString("F2", CultureInfo.InvariantCulture);

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    // the table cell: what failed and the output's last line, which is where test runners put their verdict
    private static string OneLine(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = lines.Length <= 1 ? text : $"{lines[0][..(lines[0].IndexOf(':') + 1)]} … {lines[^1].Trim()}";
        line = line.Replace('|', '/');
        return line.Length <= 70 ? line : line[..69] + "…";
    }
}
