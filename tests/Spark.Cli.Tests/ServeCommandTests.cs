using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class ServeCommandTests
{
    [Fact]
    public async Task Serve_DefaultModel_PrintsItsUrlAndAnswers()
    {
        using var home = new TempDirectory();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "spark.dll"));
        foreach (string a in new[] { "serve", "--port", "0", "--threads", "1", "--ctx", "256" }) psi.ArgumentList.Add(a);
        psi.Environment["SPARK_HOME"] = home.Path;
        psi.Environment["SPARK_API_KEY"] = "k1";
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            if (line is null) Assert.Fail($"spark serve exited before printing its URL: {await StderrSoFar(process, stderr)}");
            Assert.StartsWith("spark serve: listening on http://127.0.0.1:", line);
            Assert.Contains("model 'spark'", line);
            Assert.Contains("API key required", line);
            string url = line.Split(' ')[4];

            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            using (var health = await http.GetAsync("/health")) Assert.True(health.IsSuccessStatusCode);
            using (var refused = await http.GetAsync("/v1/models")) Assert.Equal(401, (int)refused.StatusCode);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k1");
            using var models = await http.GetAsync("/v1/models");
            var card = JsonDocument.Parse(await models.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0];
            Assert.Equal("spark", card.GetProperty("id").GetString());
            Assert.Equal(256, card.GetProperty("context_length").GetInt32());

            using var created = await http.PostAsync("/v1/responses", new StringContent("""{"model":"spark","input":"Hi","max_output_tokens":3}""", Encoding.UTF8, "application/json"));
            var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(3, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.Contains("synthetic", await stderr);
    }

    private static async Task<string> StderrSoFar(Process process, Task<string> stderr)
    {
        process.Kill(entireProcessTree: true);
        return await stderr;
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be 0-65535")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--host", "example.com", "is not an IP address")]
    [InlineData("--store", "postgres", "unknown store 'postgres'; use memory, sqlite or redis")]
    [InlineData("--store", "redis", "--store redis needs --redis-url redis://HOST:PORT")]
    [InlineData("--redis-url", "redis://127.0.0.1:1", "--redis-url is for --store redis")]
    public void Serve_BadOption_IsOneErrorLineAndExit2(string option, string value, string message)
    {
        using var home = new TempDirectory();
        string[] args = option == "--port" ? ["serve", option, value] : ["serve", option, value, "--port", "0"];
        var r = SparkProcess.Run(home.Path, args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"error: ", r.StdErr);
        Assert.Contains(message, r.StdErr);
    }

    [Fact]
    public void Serve_StorePathThatIsAFolder_StopsStartupWithWhatToFix()
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "serve", "--port", "0", "--threads", "1", "--ctx", "256", "--store-path", home.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--store-path '{home.Path}' is a folder", r.StdErr);
    }

    [Fact]
    public void Serve_MissingModelFile_IsAClearError()
    {
        var r = SparkProcess.Run(null, "serve", "--model", "/nonexistent/model.gguf");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/model.gguf", r.StdErr);
    }
}
