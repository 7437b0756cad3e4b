using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spark.Testing;

namespace Spark.Cli.Tests;

public class ServeCommandTests
{
    [Fact]
    public async Task Serve_WithoutModelOrConfig_ServesTheBuiltInModel_SaysHowToAddModels_AndStoresInSparkHome()
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
        string log = await stderr;
        Assert.Contains("synthetic", log);
        Assert.Contains("write a spark.toml and run spark serve --config spark.toml", log); // how to add models
        Assert.True(File.Exists(Path.Combine(home.Path, "responses.db")), "the default store is a SQLite file in SPARK_HOME (~/.spark)");
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

public class ConfigCommandTests
{
    [Fact]
    public void Models_WithConfig_ListsAliasBackendTargetAndHealth_AndExits1WhenAReplicaIsDown()
    {
        using var home = new TempDirectory();
        File.WriteAllText(Path.Combine(home.Path, "spark.toml"), """
            [models.spark]
            backend = "local"

            [models.full]
            backend = "openai-chat"
            replicas = ["http://127.0.0.1:9/v1"]
            model = "qwen-72b"
            connect_timeout = 1

            [auto]
            keywords = ["refactor"]
            """);
        var r = SparkProcess.Run(home.Path, "models", "--config", Path.Combine(home.Path, "spark.toml"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ALIAS", r.StdOut);
        Assert.Matches(@"spark\s+local\s+", r.StdOut);
        Assert.Matches(@"full\s+openai-chat\s+http://127.0.0.1:9/v1 \(model 'qwen-72b'\)\s+down: ", r.StdOut);
        Assert.Matches(@"auto\s+router\s+spark or full per turn", r.StdOut);
    }

    [Fact]
    public void Models_WithoutConfig_ShowsTheBuiltInModelAndHowToAddModels()
    {
        using var home = new TempDirectory();
        var r = SparkProcess.Run(home.Path, "models");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"spark\s+local\s+", r.StdOut);
        Assert.Contains("write a spark.toml to add models", r.StdErr);
    }

    [Fact]
    public void Serve_BadConfig_IsOneErrorNamingTheLine()
    {
        using var home = new TempDirectory();
        string config = Path.Combine(home.Path, "spark.toml");
        File.WriteAllText(config, "[models.spark]\nbackend = \"local\"\nthreds = 4\n");
        var r = SparkProcess.Run(home.Path, "serve", "--config", config, "--port", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"error: {config}:3: unknown key 'threds' in [models.spark]", r.StdErr);
    }

    [Fact]
    public void Serve_ConfigNamingAnUnsetKeyVariable_RefusesToStartWithoutAKey()
    {
        using var home = new TempDirectory();
        string config = Path.Combine(home.Path, "spark.toml");
        File.WriteAllText(config, "[server]\napi_key_env = \"SPARK_TEST_UNSET_KEY\"\n[models.spark]\nbackend = \"local\"\n");
        var r = SparkProcess.Run(home.Path, "serve", "--config", config, "--port", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("api_key_env = \"SPARK_TEST_UNSET_KEY\" but $SPARK_TEST_UNSET_KEY is not set", r.StdErr);
    }

    [Fact]
    public void Serve_ConfigWithModelFlag_SaysWhereTheSettingGoes()
    {
        using var home = new TempDirectory();
        string config = Path.Combine(home.Path, "spark.toml");
        File.WriteAllText(config, "[models.spark]\nbackend = \"local\"\n");
        var r = SparkProcess.Run(home.Path, "serve", "--config", config, "--ctx", "512");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--ctx cannot be combined with --config", r.StdErr);
    }

    [Fact]
    public async Task Serve_Config_ServesEveryModelByAlias_AndAuto()
    {
        using var home = new TempDirectory();
        string config = Path.Combine(home.Path, "spark.toml");
        File.WriteAllText(config, """
            [server]
            store = "memory"

            [models.spark]
            backend = "local"
            ctx = 256
            threads = 1

            [models.full]
            backend = "openai-chat"
            base_url = "http://127.0.0.1:9/v1"
            connect_timeout = 1

            [auto]
            keywords = ["refactor"]
            """);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = new UTF8Encoding(false) };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "spark.dll"));
        foreach (string a in new[] { "serve", "--config", config, "--port", "0" }) psi.ArgumentList.Add(a);
        psi.Environment["SPARK_HOME"] = home.Path;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            if (line is null)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"spark serve exited before printing its URL: {await stderr}");
            }
            Assert.Contains($"(2 models from {config})", line);
            using var http = new HttpClient { BaseAddress = new Uri(line.Split(' ')[4]), Timeout = TimeSpan.FromSeconds(30) };
            var ids = JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
            Assert.Equal(["spark", "full", "auto"], ids);
            using var fast = await http.PostAsync("/v1/responses", new StringContent("""{"model":"auto","input":"Hi","max_output_tokens":2}""", Encoding.UTF8, "application/json"));
            Assert.Equal("spark", JsonDocument.Parse(await fast.Content.ReadAsStringAsync()).RootElement.GetProperty("model").GetString());
            using var down = await http.PostAsync("/v1/responses", new StringContent("""{"model":"full","input":"Hi"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(502, (int)down.StatusCode);
            Assert.Contains("model 'full' (openai-chat)", JsonDocument.Parse(await down.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.Contains("full -> openai-chat http://127.0.0.1:9/v1", await stderr);
    }
}
