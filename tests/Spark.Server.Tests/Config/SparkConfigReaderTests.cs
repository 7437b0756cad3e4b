using Spark.Server.Backends;
using Spark.Server.Config;
using Spark.Server.Storage;

namespace Spark.Server.Tests.Config;

public class SparkConfigReaderTests
{
    private static SparkConfig Parse(string toml, Dictionary<string, string>? env = null) =>
        SparkConfigReader.Parse(toml, "/etc/spark.toml", name => env?.GetValueOrDefault(name));

    private static string Error(string toml, Dictionary<string, string>? env = null) =>
        Assert.Throws<ConfigException>(() => Parse(toml, env)).Message;

    [Fact]
    public void FullExample_ReadsEverySection()
    {
        var config = Parse("""
            [server]
            host = "0.0.0.0"
            port = 9000
            api_key_env = "MY_SPARK_KEY"
            store = "redis"
            redis_url = "redis://10.0.0.7:6379/1"

            [models.spark]
            backend = "local"
            path = "models/qwen.gguf"
            ctx = 8192
            threads = 4

            [models.full]
            backend = "openai-chat"
            replicas = ["http://gpu1:8000/v1", "http://gpu2:8000/v1"]
            env_key = "VLLM_KEY"
            model = "Qwen/Qwen2.5-72B-Instruct"
            connect_timeout = 2
            first_token_timeout = 30.5
            idle_timeout = 10

            [models.cloud]
            backend = "openai-responses"
            base_url = "https://api.openai.com/v1"
            websocket = true

            [auto]
            keywords = ["refactor", "architecture"]
            tools_over = 8
            prompt_chars_over = 20000
            escalate = false
            """, new() { ["VLLM_KEY"] = "sk-vllm" });
        Assert.Equal(("0.0.0.0", 9000, "MY_SPARK_KEY"), (config.Host, config.Port, config.ApiKeyEnv));
        Assert.Equal(ResponseStoreKind.Redis, config.Store!.Kind);
        Assert.Equal(["spark", "full", "cloud"], config.Models.Select(m => m.Alias));
        Assert.Equal("/etc/models/qwen.gguf", config.Models[0].Path); // relative to the config file
        Assert.Equal((8192, 4), (config.Models[0].Ctx, config.Models[0].Threads));
        var full = config.Models[1].Upstream!;
        Assert.Equal(UpstreamProtocol.Chat, full.Protocol);
        Assert.Equal(2, full.Replicas.Count);
        Assert.Equal("sk-vllm", full.ApiKey);
        Assert.Equal("Qwen/Qwen2.5-72B-Instruct", full.UpstreamModel);
        Assert.Equal(TimeSpan.FromSeconds(30.5), full.FirstTokenTimeout);
        Assert.Equal("cloud", config.Models[2].Upstream!.UpstreamModel); // default: the alias
        Assert.True(config.Models[2].Upstream!.WebSocket);
        Assert.False(full.WebSocket);
        Assert.Equal(["refactor", "architecture"], config.Auto!.Keywords);
        Assert.False(config.Auto.Escalate);
        Assert.Equal(("spark", "full"), (config.Auto.Fast, config.Auto.Full));
    }

    [Theory]
    [InlineData("[server]\nprot = 8080\n[models.a]\nbackend = \"local\"", "/etc/spark.toml:2: unknown key 'prot' in [server]; allowed: host, port")]
    [InlineData("[server]\nport = \"8080\"\n[models.a]\nbackend = \"local\"", "/etc/spark.toml:2: [server] port must be an integer, got \"8080\"")]
    [InlineData("[models.a]\nbackend = \"local\"\ncontext = 4096", "/etc/spark.toml:3: unknown key 'context' in [models.a]; allowed: backend, path, ctx, threads")]
    [InlineData("[models.a]\nbackend = \"vllm\"", "/etc/spark.toml:2: [models.a] backend = \"vllm\" is unknown; use \"local\", \"openai-chat\" or \"openai-responses\"")]
    [InlineData("[models.a]\npath = \"x.gguf\"", "[models.a] needs backend = ")]
    [InlineData("[models.a]\nbackend = \"openai-chat\"", "[models.a] needs base_url = ")]
    [InlineData("[models.a]\nbackend = \"openai-chat\"\nbase_url = \"gpu1:8000\"", "'gpu1:8000' is not an http(s) URL")]
    [InlineData("[models.a]\nbackend = \"openai-chat\"\nbase_url = \"http://h/v1\"\nwebsocket = true", "/etc/spark.toml:4: [models.a] websocket applies to backend = \"openai-responses\" only")]
    [InlineData("[models.a]\nbackend = \"openai-responses\"\nbase_url = \"http://h/v1\"\nwebsocket = \"yes\"", "/etc/spark.toml:4: [models.a] websocket must be true or false")]
    [InlineData("[models.a]\nbackend = \"openai-chat\"\nbase_url = \"http://h/v1\"\nenv_key = \"NOPE_KEY\"", "/etc/spark.toml:4: [models.a] env_key = \"NOPE_KEY\" but $NOPE_KEY is not set")]
    [InlineData("[models.a]\nbackend = \"openai-chat\"\nbase_url = \"http://h/v1\"\nconnect_timeout = -1", "connect_timeout must be between 0 and 86400 seconds")]
    [InlineData("[modles.a]\nbackend = \"local\"", "/etc/spark.toml:1: unknown table [modles.a]; spark.toml has [server], [models.NAME] and [auto]")]
    [InlineData("port = 1\n[models.a]\nbackend = \"local\"", "/etc/spark.toml:1: 'port' must be inside a table")]
    [InlineData("[server]\nport = 1", "no models; add at least one [models.NAME] table")]
    [InlineData("[models.a]\nbackend = \"local\"\n[auto]\nkeywords = \"refactor\"", "/etc/spark.toml:4: [auto] keywords must be a list of strings")]
    [InlineData("[models.a\nbackend = \"local\"", "/etc/spark.toml: not valid TOML: line 1")]
    [InlineData("[server]\nstore = \"postgres\"\n[models.a]\nbackend = \"local\"", "/etc/spark.toml:2: [server] store: unknown store 'postgres'; use memory, sqlite or redis")]
    public void BadConfig_NamesFileLineKeyAndFix(string toml, string message) => Assert.Contains(message, Error(toml));

    [Fact]
    public void ApiKeys_NeverAppearInErrors()
    {
        string message = Error("[models.a]\nbackend = \"openai-chat\"\nbase_url = \"http://h/v1\"\nenv_key = \"K\"\nbogus = 1", new() { ["K"] = "sk-secret" });
        Assert.DoesNotContain("sk-secret", message);
    }
}
