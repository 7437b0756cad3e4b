using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Spark.Server.Metrics;
using Spark.Server.Tests.Endpoints;
using Spark.Testing;

namespace Spark.Server.Tests.Metrics;

[Collection(ServerCollection.Name)]
public partial class MetricsTests(ServerFixture server)
{
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$")]
    private static partial Regex Sample();

    [Fact]
    public async Task Metrics_IsPrometheusText_WithLatencyHistogramsCountersAndGauges()
    {
        using (var r = await server.Http.PostJsonAsync("/v1/responses", """{"model":"spark-tiny","input":"Hi","max_output_tokens":5,"temperature":0}"""))
            Assert.True(r.IsSuccessStatusCode);

        using var response = await server.Http.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        var samples = new Dictionary<string, double>();
        var types = new Dictionary<string, string>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: '{line}'");
            samples[match.Groups["name"].Value + (match.Groups["labels"].Success ? "{" + match.Groups["labels"].Value + "}" : "")] =
                match.Groups["value"].Value == "+Inf" ? double.PositiveInfinity : double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        Assert.Equal("histogram", types["spark_time_to_first_token_seconds"]);
        Assert.Equal("histogram", types["spark_inter_token_latency_seconds"]);
        Assert.Equal("counter", types["spark_generated_tokens_total"]);
        Assert.Equal("gauge", types["spark_queue_depth"]);
        Assert.True(samples["spark_time_to_first_token_seconds_count"] >= 1);
        Assert.True(samples["spark_inter_token_latency_seconds_count"] >= 4);
        Assert.Equal(samples["spark_time_to_first_token_seconds_count"], samples["spark_time_to_first_token_seconds_bucket{le=\"+Inf\"}"]);
        Assert.True(samples["spark_time_to_first_token_seconds_sum"] > 0);
        Assert.True(samples["spark_generated_tokens_total"] >= 5);
        Assert.True(samples["spark_prompt_tokens_total"] > 0);
        Assert.True(samples.ContainsKey("spark_cached_prompt_tokens_total"));
        Assert.True(samples["spark_kv_sessions"] >= 1);
        Assert.True(samples.ContainsKey("spark_active_responses"));
        Assert.True(samples.ContainsKey("spark_websocket_connections"));
        double previous = 0; // cumulative buckets never decrease
        foreach (var (name, value) in samples.Where(s => s.Key.StartsWith("spark_inter_token_latency_seconds_bucket", StringComparison.Ordinal)))
        {
            Assert.True(value >= previous, name);
            previous = value;
        }
    }

    [Fact]
    public void Histogram_RecordsIntoTheRightBucket_WithoutAllocating()
    {
        var histogram = new LatencyHistogram(0.001, 0.01, 0.1);
        histogram.Record(Stopwatch.Frequency / 200); // 5 ms
        for (int i = 0; i < 10_000; i++) histogram.Record(Stopwatch.Frequency / 2000); // 0.5 ms
        var measured = new LatencyHistogram(0.001, 0.01, 0.1);
        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            for (int i = 0; i < 10_000; i++) measured.Record(Stopwatch.Frequency / 2000);
        }));

        var text = new System.Text.StringBuilder();
        histogram.WriteTo(text, "t_seconds", "test");
        string s = text.ToString();
        Assert.Contains("t_seconds_bucket{le=\"0.001\"} 10000\n", s);
        Assert.Contains("t_seconds_bucket{le=\"0.01\"} 10001\n", s);
        Assert.Contains("t_seconds_bucket{le=\"+Inf\"} 10001\n", s);
        Assert.Contains("t_seconds_count 10001\n", s);
    }
}
