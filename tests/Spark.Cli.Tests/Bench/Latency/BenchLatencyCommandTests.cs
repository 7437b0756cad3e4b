using System.Text.Json;
using Spark.Testing;

namespace Spark.Cli.Tests.Bench.Latency;

public class BenchLatencyCommandTests
{
    [Fact]
    public void BenchLatency_LocalTinyModelAllTransports_WritesASaneReport()
    {
        using var home = new TempDirectory();
        string outDir = Path.Combine(home.Path, "out");
        // the tool declaration takes ~500 tokens of the built-in model's small vocabulary
        var r = SparkProcess.Run(home.Path, "bench", "latency", "--local", "--threads", "1", "--ctx", "2048",
            "--turns", "2", "--prompt-tokens", "24", "--output-tokens", "4", "--transport", "all", "--out", outDir);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.Contains("| http-new |", r.StdOut);
        Assert.Contains("| ws |", r.StdOut);

        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))).RootElement;
        Assert.Equal("spark", report.GetProperty("model").GetString());
        Assert.Equal("agent", report.GetProperty("turn_style").GetString());
        var perToken = report.GetProperty("server_per_token_overhead");
        Assert.Contains("replayed", perToken.GetProperty("method").GetString());
        foreach (var t in perToken.GetProperty("transports").EnumerateObject())
        {
            if (t.Value.ValueKind == JsonValueKind.Null) continue; // no answer of this transport had one delta per token
            var o = t.Value;
            // Spark reports its engine thread's steps: the primary baseline; --local also replays them (the second figure)
            Assert.Equal("engine_thread_while_serving", o.GetProperty("engine_baseline").GetString());
            Assert.True(o.GetProperty("tokens").GetInt32() >= o.GetProperty("requests").GetInt32() && o.GetProperty("requests").GetInt32() >= 1, $"{t.Name}: {o}");
            double alone = o.GetProperty("engine_alone_ms_per_token").GetDouble(), serving = o.GetProperty("engine_while_serving_ms_per_token").GetDouble();
            Assert.Equal(serving, o.GetProperty("engine_ms_per_token").GetDouble());
            Assert.Equal(JsonValueKind.Number, o.GetProperty("percent_vs_engine_alone").ValueKind);
            Assert.Equal(JsonValueKind.Number, o.GetProperty("percent_vs_forward_pass").ValueKind);
            Assert.True(o.GetProperty("engine_alone_forward_ms_per_token").GetDouble() is var f && f > 0 && f <= alone, $"{t.Name}: {o}");
            Assert.True(o.GetProperty("engine_while_serving_forward_ms_per_token").GetDouble() is var w && w > 0 && w <= serving, $"{t.Name}: {o}");
            Assert.True(o.GetProperty("served_ms_per_token").GetDouble() >= 0);
            Assert.Equal(JsonValueKind.Number, o.GetProperty("percent").ValueKind);
        }
        var transports = report.GetProperty("transports");
        foreach (string name in new[] { "http-new", "http-keepalive", "ws" })
        {
            var t = transports.GetProperty(name);
            Assert.Equal(2, t.GetProperty("turns").GetInt32());
            Assert.Equal(1, t.GetProperty("concurrency").GetInt32());
            Assert.Equal("server_timing", t.GetProperty("turn_overhead_source").GetString());
            foreach (string metric in new[] { "ttft_ms", "turn_overhead_ms" })
            {
                var p = t.GetProperty(metric);
                Assert.Equal(2, p.GetProperty("count").GetInt32()); // one sample per turn
                double p50 = p.GetProperty("p50").GetDouble(), p95 = p.GetProperty("p95").GetDouble(), p99 = p.GetProperty("p99").GetDouble();
                Assert.True(p50 >= 0 && p50 <= p95 && p95 <= p99, $"{name}.{metric}: {p}");
            }
            var itl = t.GetProperty("itl_ms");
            Assert.True(itl.GetProperty("count").GetInt32() >= 0);
            // each agent-like turn: a forced tool call (at most 64 tokens) and the answer after its output (at most 4)
            Assert.True(t.GetProperty("output_tokens").GetInt32() is > 0 and <= 2 * (64 + 4), $"{name}: 2 turns of at most 68 tokens");
            Assert.InRange(t.GetProperty("continuation_ttft_ms").GetProperty("count").GetInt32(), 0, 2); // one per turn whose answer had text
            Assert.True(t.GetProperty("output_tokens_per_s").GetDouble() > 0);
            int input = t.GetProperty("input_tokens").GetInt32(), cached = t.GetProperty("cached_input_tokens").GetInt32();
            Assert.True(cached > 0 && cached < input, $"{name}: turn 2 continues turn 1 by previous_response_id, so part of its prompt is cached ({cached} of {input})");
            double e2e = t.GetProperty("e2e_ms").GetDouble();
            Assert.True(e2e >= t.GetProperty("ttft_ms").GetProperty("p99").GetDouble(), $"{name}: a conversation lasts at least as long as its slowest first token");
        }
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("| ws |", md);
        if (perToken.GetProperty("transports").EnumerateObject().Any(t => t.Value.ValueKind != JsonValueKind.Null))
            Assert.Contains("| engine while serving ms/token (forward pass) | overhead | engine alone ms/token (forward pass) | overhead vs engine alone |", md);
        foreach (string chart in new[] { "turn-overhead.svg", "ttft.svg", "ttft-by-turn.svg" })
        {
            var svg = System.Xml.Linq.XDocument.Load(Path.Combine(outDir, chart)); // well-formed XML
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Contains("http-keepalive", svg.ToString());
        }
    }

    [Fact]
    public void BenchLatency_ConcurrencyList_RunsEveryLevelWithOverlappingConversations()
    {
        using var home = new TempDirectory();
        string outDir = Path.Combine(home.Path, "out");
        var r = SparkProcess.Run(home.Path, "bench", "latency", "--local", "--threads", "1", "--ctx", "2048",
            "--turns", "3", "--prompt-tokens", "24", "--output-tokens", "4", "--transport", "all", "--concurrency", "2,1", "--out", outDir);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.Contains("| http-new | 2 |", r.StdOut); // the terminal table has every level
        Assert.Contains("| ws | 1 |", r.StdOut);

        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))).RootElement;
        string[] names = ["http-new", "http-keepalive", "ws"];
        foreach (string name in names) // `transports` is the first level, as given
            Assert.Equal(2, report.GetProperty("transports").GetProperty(name).GetProperty("concurrency").GetInt32());
        var levels = report.GetProperty("by_concurrency").EnumerateArray().ToArray();
        Assert.Equal([2, 1], levels.Select(l => l.GetProperty("concurrency").GetInt32()));
        foreach (var level in levels)
        {
            int c = level.GetProperty("concurrency").GetInt32();
            foreach (string name in names)
            {
                var t = level.GetProperty("transports").GetProperty(name);
                Assert.Equal(c, t.GetProperty("concurrency").GetInt32());
                Assert.Equal(3, t.GetProperty("turns").GetInt32());
                Assert.Equal(3 * c, t.GetProperty("ttft_ms").GetProperty("count").GetInt32()); // every conversation's every turn
                Assert.Equal(3 * c, t.GetProperty("turn_overhead_ms").GetProperty("count").GetInt32());
                foreach (string metric in new[] { "ttft_ms", "itl_ms", "turn_overhead_ms" })
                    foreach (string p in new[] { "p50", "p95", "p99" })
                        Assert.True(t.GetProperty(metric).TryGetProperty(p, out _), $"c={c} {name}.{metric}.{p}");
                Assert.True(t.GetProperty("e2e_ms").GetDouble() > 0);
                // the client's own request timestamps: with C conversations, C requests were open at once (the
                // server queues all but the running one); a conversation's requests never overlap each other
                Assert.Equal(c, t.GetProperty("max_in_flight").GetInt32());
                var throughput = level.GetProperty("throughput").GetProperty(name);
                Assert.Equal(t.GetProperty("output_tokens_per_s").GetDouble(), throughput.GetProperty("output_tokens_per_s").GetDouble());
                Assert.True(throughput.GetProperty("output_tokens_per_s").GetDouble() > 0);
                Assert.True(throughput.GetProperty("turns_per_s").GetDouble() > 0);
            }
        }
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("## Throughput by concurrency", md);
        var chart = System.Xml.Linq.XDocument.Load(Path.Combine(outDir, "throughput-by-concurrency.svg"));
        Assert.Equal(3, chart.Descendants().Count(e => e.Name.LocalName == "polyline")); // one line per transport
        Assert.Equal(6, chart.Descendants().Count(e => e.Name.LocalName == "circle")); // a point per transport and level
    }

    [Fact]
    public void BenchLatency_NoToolCalls_RunsPlainTurns()
    {
        using var home = new TempDirectory();
        string outDir = Path.Combine(home.Path, "out");
        var r = SparkProcess.Run(home.Path, "bench", "latency", "--local", "--threads", "1", "--ctx", "512", "--no-tool-calls",
            "--turns", "2", "--prompt-tokens", "24", "--output-tokens", "4", "--transport", "ws", "--out", outDir);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))).RootElement;
        Assert.Equal("chat", report.GetProperty("turn_style").GetString());
        var ws = report.GetProperty("transports").GetProperty("ws");
        Assert.True(ws.GetProperty("output_tokens").GetInt32() is > 0 and <= 8);
        Assert.False(ws.TryGetProperty("continuation_ttft_ms", out _));
    }

    [Fact]
    public void BenchLatency_UnreachableUrl_IsAClearErrorAndExit1()
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "bench", "latency", "--url", "http://127.0.0.1:1", "--model", "m", "--turns", "1", "--out", Path.Combine(home.Path, "out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: cannot reach http://127.0.0.1:1/", r.StdErr);
        Assert.Contains("--local", r.StdErr);
        Assert.False(Directory.Exists(Path.Combine(home.Path, "out")));
    }

    [Fact]
    public void BenchLatency_ConversationOutgrowsTheContext_ReportsTheServersErrorAndExit1()
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "bench", "latency", "--local", "--threads", "1", "--ctx", "256",
            "--turns", "40", "--concurrency", "2", "--prompt-tokens", "40", "--output-tokens", "4", "--transport", "ws", "--out", Path.Combine(home.Path, "out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: the server answered turn", r.StdErr);
        Assert.Contains("--ctx", r.StdErr); // the server's own advice comes through
        Assert.DoesNotContain("cancelled", r.StdErr); // the second conversation's cancellation does not hide the cause
    }

    [Theory]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--transport", "smoke-signals" }, "smoke-signals")]
    [InlineData(new[] { "--model", "m" }, "give either --url URL")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--local" }, "give either --url URL")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1" }, "--model is required with --url")]
    [InlineData(new[] { "--url", "ftp://127.0.0.1:1", "--model", "m" }, "--url must be an http:// or https:// URL")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--turns", "0" }, "--turns must be 1-1000")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "0" }, "--concurrency '0': 0 is out of range; each level must be 1-256")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency=-1" }, "--concurrency '-1': -1 is out of range")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "1,-1" }, "--concurrency '1,-1': -1 is out of range")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "a,b" }, "--concurrency 'a,b': 'a' is not a whole number")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "" }, "--concurrency is empty")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "1,,2" }, "entry 2 is empty")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "1,2,1" }, "1 is listed twice (entries 1 and 3)")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--model", "m", "--api-key-env", "SPARK_TEST_SURELY_UNSET_VAR" }, "SPARK_TEST_SURELY_UNSET_VAR: the environment variable is not set")]
    public void BenchLatency_BadInput_IsOneErrorAndExit2(string[] options, string message)
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, ["bench", "latency", .. options]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: ", r.StdErr);
        Assert.Contains(message, r.StdErr);
    }
}
