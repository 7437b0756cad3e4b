using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spark.Testing;

namespace Spark.Cli.Tests;

/// <summary>
/// Two real <c>spark serve</c> processes: the upstream serves the built-in model, the front serves it through
/// <c>backend = "openai-responses"</c> from a spark.toml, as on a cluster.
/// </summary>
public class SparkBehindSparkTests
{
    private const string UpstreamKey = "sk-upstream-process-secret";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PostAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("/v1/responses", Json(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static string OutputText(JsonElement response) =>
        string.Concat(response.GetProperty("output").EnumerateArray().Where(i => i.GetProperty("type").GetString() == "message")
            .Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));

    [Fact]
    public async Task FrontProcess_ServesTheUpstreamProcessesModel_StreamsAndContinues_ThenIs502WhenItDies()
    {
        using var home = new TempDirectory();
        using var upstream = await ServeProcess.StartAsync(home.Path, [("SPARK_API_KEY", UpstreamKey)],
            "--port", "0", "--threads", "1", "--ctx", "512", "--store", "memory");
        string config = Path.Combine(home.Path, "spark.toml");
        File.WriteAllText(config, $"""
            [server]
            store = "memory"

            [models.spark]
            backend = "openai-responses"
            base_url = "{upstream.Url}/v1"
            env_key = "SPARK_TEST_UPSTREAM_KEY"
            connect_timeout = 1
            """);
        using var front = await ServeProcess.StartAsync(home.Path, [("SPARK_TEST_UPSTREAM_KEY", UpstreamKey)], "--config", config, "--port", "0");
        using var direct = new HttpClient { BaseAddress = new Uri(upstream.Url), Timeout = TimeSpan.FromSeconds(60) };
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UpstreamKey);
        using var http = new HttpClient { BaseAddress = new Uri(front.Url), Timeout = TimeSpan.FromSeconds(60) };

        const string turn = """{"model":"spark","input":"Tell me a story","max_output_tokens":8,"temperature":0}""";
        var expected = await PostAsync(direct, turn);
        var proxied = await PostAsync(http, turn);
        Assert.NotEmpty(OutputText(expected));
        Assert.Equal(OutputText(expected), OutputText(proxied));
        Assert.Equal("spark", proxied.GetProperty("model").GetString());

        // streamed: the same text as deltas, ending like the upstream's answer
        using (var stream = await http.PostAsync("/v1/responses", Json(turn.Replace("\"temperature\"", "\"stream\":true,\"temperature\""))))
        {
            var events = (await stream.Content.ReadAsStringAsync()).Split('\n')
                .Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement).ToList();
            Assert.Equal(OutputText(expected), string.Concat(events.Where(e => e.GetProperty("type").GetString() == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString())));
            Assert.Equal("response." + expected.GetProperty("status").GetString(), events[^1].GetProperty("type").GetString());
        }

        // previous_response_id is the front's: the upstream (store: false) is sent the whole conversation
        var next = await PostAsync(http, $$"""{"model":"spark","input":"And then?","previous_response_id":"{{proxied.GetProperty("id").GetString()}}","max_output_tokens":2}""");
        var firstUsage = proxied.GetProperty("usage");
        Assert.True(next.GetProperty("usage").GetProperty("input_tokens").GetInt32() > firstUsage.GetProperty("input_tokens").GetInt32() + firstUsage.GetProperty("output_tokens").GetInt32());

        var models = SparkProcess.Run(home.Path, [("SPARK_TEST_UPSTREAM_KEY", UpstreamKey)], "models", "--config", config);
        Assert.Equal(0, models.ExitCode);
        Assert.Matches($@"spark\s+openai-responses\s+{upstream.Url}/v1 \(model 'spark'\)\s+up", models.StdOut);

        // the upstream host dies: the front answers 502 naming the backend, at once (the port is closed), never the key
        upstream.Kill();
        var watch = Stopwatch.StartNew();
        using (var down = await http.PostAsync("/v1/responses", Json(turn)))
        {
            watch.Stop();
            string body = await down.Content.ReadAsStringAsync();
            Assert.True(502 == (int)down.StatusCode, body);
            var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
            Assert.Equal("upstream_unavailable", error.GetProperty("code").GetString());
            string message = error.GetProperty("message").GetString()!;
            Assert.Contains("model 'spark' (openai-responses)", message);
            Assert.Contains(upstream.Url.Replace("http://", ""), message);
            Assert.DoesNotContain(UpstreamKey, message);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        using (var health = await http.GetAsync("/health")) Assert.True(health.IsSuccessStatusCode);
        await front.WaitForStdErrAsync("upstream of model 'spark' failed"); // the logs say it, without the key
        Assert.DoesNotContain(UpstreamKey, front.StdErr);
        Assert.DoesNotContain(UpstreamKey, models.StdOut + models.StdErr);
    }
}
