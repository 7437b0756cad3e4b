using System.Text.Json;
using Spark.Agent.Client;
using Spark.Agent.Policy;
using Spark.Cli.AgentHost;
using Spark.Testing;

namespace Spark.Cli.Tests.AgentConfigFile;

public class AgentConfigTests
{
    private const string CodexStyle = """
        model = "gpt-5"
        model_provider = "openai"
        approval_policy = "untrusted"
        sandbox_mode = "read-only"
        model_reasoning_effort = "high"   # a Codex key Spark does not use: ignored

        [model_providers.openai]
        name = "OpenAI"
        base_url = "https://api.openai.com/v1"
        env_key = "OPENAI_API_KEY"
        wire_api = "responses"

        [model_providers.lab]
        base_url = "http://127.0.0.1:8080/v1"
        supports_websockets = false

        [model_providers.vllm]
        base_url = "http://127.0.0.1:8000/v1"
        wire_api = "chat"

        [profiles.fast]
        model = "spark"
        model_provider = "lab"
        approval_policy = "never"

        [profiles.gpu]
        model = "qwen"
        model_provider = "vllm"
        """;

    private static AgentConfig Config(string text = CodexStyle) => AgentConfigReader.Parse(text, "/home/u/.spark/config.toml");

    [Fact]
    public void TopLevelDefaults_PickTheProvider_ItsKeyVariable_AndTheModes()
    {
        var s = AgentSettingsResolver.Resolve(new AgentFlags(), Config(), "/home/u/.spark");
        Assert.Equal("https://api.openai.com/v1", s.BaseUrl);
        Assert.Equal("gpt-5", s.Model);
        Assert.Equal("OPENAI_API_KEY", s.ApiKeyEnv);
        Assert.Equal(ClientTransport.Auto, s.Transport);
        Assert.Equal(ApprovalMode.Untrusted, s.Approval);
        Assert.Equal(SandboxMode.ReadOnly, s.Sandbox);
    }

    [Fact]
    public void Profile_OverridesTheTopLevel_AndFlagsOverrideBoth()
    {
        var s = AgentSettingsResolver.Resolve(new AgentFlags { Profile = "fast", Sandbox = "danger-full-access" }, Config(), "/h");
        Assert.Equal("http://127.0.0.1:8080/v1", s.BaseUrl);
        Assert.Equal("spark", s.Model);
        Assert.Null(s.ApiKeyEnv);
        Assert.Equal(ClientTransport.Http, s.Transport); // supports_websockets = false
        Assert.Equal(ApprovalMode.Never, s.Approval); // the profile's
        Assert.Equal(SandboxMode.DangerFullAccess, s.Sandbox); // the flag's

        var flagged = AgentSettingsResolver.Resolve(new AgentFlags { BaseUrl = "http://x/v1", Model = "m" }, Config(), "/h");
        Assert.Equal("http://x/v1", flagged.BaseUrl);
        Assert.Null(flagged.ApiKeyEnv); // --base-url: the provider is not used at all
    }

    [Fact]
    public void WireApiChat_IsAClearNotSupportedError()
    {
        var e = Assert.Throws<NotSupportedException>(() => AgentSettingsResolver.Resolve(new AgentFlags { Profile = "gpu" }, Config(), "/h"));
        Assert.Contains("/home/u/.spark/config.toml", e.Message);
        Assert.Contains("[model_providers.vllm] has wire_api = \"chat\"", e.Message);
        Assert.Contains("only the Responses API", e.Message);
    }

    [Fact]
    public void NoConfig_MeansTheBuiltInDefaults_AndTheInProcessServer()
    {
        var s = AgentSettingsResolver.Resolve(new AgentFlags(), AgentConfig.Empty, "/h");
        Assert.Null(s.BaseUrl);
        Assert.Null(s.Model);
        Assert.Equal(ApprovalMode.OnRequest, s.Approval);
        Assert.Equal(SandboxMode.WorkspaceWrite, s.Sandbox);
        Assert.Contains("no config file", Assert.Throws<ArgumentException>(() => AgentSettingsResolver.Resolve(new AgentFlags { Profile = "x" }, AgentConfig.Empty, "/h")).Message);
    }

    [Theory]
    [InlineData("approval_policy = \"sometimes\"", "approval_policy = \"sometimes\"")]
    [InlineData("sandbox_mode = 3", "sandbox_mode must be a non-empty string")]
    [InlineData("model_provider = \"nope\"", "no [model_providers.nope] table")]
    [InlineData("[model_providers.a]\nenv_key = \"K\"", "[model_providers.a] needs base_url")]
    [InlineData("[model_providers.a]\nbase_url = \"http://h/v1\"\nwire_api = \"grpc\"", "model_providers.a.wire_api = \"grpc\" is not known")]
    [InlineData("model = \"unterminated", "not valid TOML")]
    [InlineData("[profiles.p]\nmodel = \"x\"\n[profiles.p]\nmodel = \"y\"", "not valid TOML")]
    public void BadConfig_NamesTheFileAndTheKey(string text, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => AgentSettingsResolver.Resolve(new AgentFlags(), Config(text), "/h"));
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains("/home/u/.spark/config.toml", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Exec_UsesTheConfiguredProvider_AndAddsAgentsMdToTheInstructions()
    {
        using var home = new TempDirectory();
        using var repo = new TempDirectory();
        Directory.CreateDirectory(Path.Join(repo.Path, ".git"));
        Directory.CreateDirectory(Path.Join(repo.Path, "src", "app"));
        File.WriteAllText(Path.Join(repo.Path, "AGENTS.md"), "Always run the tests with make test.");
        File.WriteAllText(Path.Join(repo.Path, "src", "app", "AGENTS.md"), "In this folder, use tabs.");
        await using var server = await ScriptedResponsesServer.StartAsync(ScriptedReply.Text("Configured answer."));
        File.WriteAllText(Path.Join(home.Path, "config.toml"), $"""
            model = "scripted"
            model_provider = "test"
            approval_policy = "never"
            sandbox_mode = "danger-full-access"

            [model_providers.test]
            base_url = "{server.BaseUrl}"
            env_key = "SPARK_TEST_KEY"
            supports_websockets = false
            """);

        var result = await Task.Run(() => SparkProcess.Run(home.Path, [("SPARK_TEST_KEY", "secret-123")], "exec", "hello", "--cd", Path.Join(repo.Path, "src", "app")));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("Configured answer.", result.StdOut.Trim());
        Assert.DoesNotContain("WebSocket", result.StdErr); // supports_websockets = false: no upgrade was tried
        Assert.Equal("Bearer secret-123", server.LastAuthorization);
        string instructions = server.Requests[0].GetProperty("instructions").GetString()!;
        int root = instructions.IndexOf("Always run the tests with make test.", StringComparison.Ordinal);
        int leaf = instructions.IndexOf("In this folder, use tabs.", StringComparison.Ordinal);
        Assert.True(root > 0 && leaf > root, instructions); // root first, the most specific last
        Assert.Equal("scripted", server.Requests[0].GetProperty("model").GetString());
    }

    [Fact]
    public void Exec_WithAChatProvider_SaysItIsNotSupported()
    {
        using var home = new TempDirectory();
        File.WriteAllText(Path.Join(home.Path, "config.toml"), "model = \"m\"\nmodel_provider = \"c\"\n[model_providers.c]\nbase_url = \"http://127.0.0.1:9/v1\"\nwire_api = \"chat\"\n");
        var result = SparkProcess.Run(home.Path, "exec", "hello");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("wire_api = \"chat\"", result.StdErr);
        Assert.Contains("does not support", result.StdErr);
    }
}
