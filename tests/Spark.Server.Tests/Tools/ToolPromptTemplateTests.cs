using Spark.Engine.Inference.Constraints;
using Spark.Engine.Templates;
using Spark.Server.Backends;
using Spark.Server.Tools;
using Spark.Testing;

namespace Spark.Server.Tests.Tools;

/// <summary>Tools and a replayed call rendered through real chat templates (from ../shared/conformance).</summary>
public class ToolPromptTemplateTests
{
    private static readonly ToolOptions Tools = new()
    {
        Tools = [new ToolDefinition("get_weather", "Weather for a city",
            System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement)],
    };

    private static readonly List<ChatTurn> Turns =
    [
        new("system", "You are terse."),
        new("user", "Weather in Paris?"),
        new("assistant", "") { ToolCalls = [new ChatTurnToolCall("call_1", "get_weather", """{"city": "Paris"}""")] },
        new("tool", "sunny, 21C") { ToolCallId = "call_1", ToolName = "get_weather" },
    ];

    private static string Render(string templateFile)
    {
        string source = File.ReadAllText(ConformanceData.PathOf("templates", templateFile));
        Assert.True(ToolPrompt.TemplateHandlesTools(source));
        var (messages, tools) = ToolPrompt.Build(Turns, Tools, templateHandlesTools: true);
        var formatter = new ChatPromptFormatter(source, "<s>", "</s>", warn: m => Assert.Fail(m));
        return formatter.Format(messages, addGenerationPrompt: true, tools);
    }

    [ConformanceFact]
    public void Qwen25_RendersToolsCallsAndResultsTheHermesWay()
    {
        string prompt = Render("Qwen-Qwen2.5-7B-Instruct.jinja");
        Assert.Contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"", prompt);
        Assert.Contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", prompt);
        Assert.Contains("<tool_response>\nsunny, 21C\n</tool_response>", prompt);
        Assert.EndsWith("<|im_start|>assistant\n", prompt);
        Assert.Same(ToolCallFormat.Hermes, ToolPrompt.FormatFor(File.ReadAllText(ConformanceData.PathOf("templates", "Qwen-Qwen2.5-7B-Instruct.jinja"))));
    }

    [ConformanceFact]
    public void Llama31_RendersToolsAndUsesJsonCalls()
    {
        string prompt = Render("meta-llama-Llama-3.1-8B-Instruct.jinja");
        Assert.Contains("\"name\": \"get_weather\"", prompt);
        Assert.Contains("<|start_header_id|>ipython<|end_header_id|>\n\n\"sunny, 21C\"", prompt);
        Assert.Same(ToolCallFormat.Llama3Json, ToolPrompt.FormatFor(File.ReadAllText(ConformanceData.PathOf("templates", "meta-llama-Llama-3.1-8B-Instruct.jinja"))));
    }
}
