using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Responses;
using Spark.Server.Tools;

namespace Spark.Server.Tests.Tools;

/// <summary>The response runner on scripted model output with tools, and how tool requests are read.</summary>
public class ToolResponseTests
{
    private static readonly ResponseObject Shell = new() { Id = "resp_t", CreatedAt = 1, Status = ResponseStatus.InProgress, Model = "m" };

    private static readonly ToolOptions Tools = new()
    {
        Tools = [new ToolDefinition("get_weather", null, null), new ToolDefinition("apply_patch", null, ToolDefinition.CustomParameters, IsCustom: true)],
    };

    private static async Task<(ResponseObject Final, List<ResponseStreamEvent> Events)> RunAsync(params string[] pieces)
    {
        var sink = new RecordingSink();
        var final = await new ResponseRunner(Shell, new ScriptedGeneration(pieces), sink, tools: Tools).RunAsync(CancellationToken.None);
        return (final, sink.Events);
    }

    [Fact]
    public async Task MalformedToolCall_BecomesText()
    {
        var (final, _) = await RunAsync("Sure. <tool_", "call>{\"name\": \"get_weather\", \"arguments\": {\"city\": }", "</tool_call>");
        var message = Assert.IsType<MessageItem>(Assert.Single(final.Output));
        Assert.Equal("Sure. <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": }</tool_call>", message.Text());
        Assert.Equal(ResponseStatus.Completed, final.Status);
    }

    [Fact]
    public async Task TextThenCall_GivesAMessageThenAFunctionCall()
    {
        var (final, events) = await RunAsync("Checking", " now.\n<tool_call>\n{\"name\": \"get_", "weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n");
        Assert.Equal(2, final.Output.Count);
        Assert.Equal("Checking now.\n", Assert.IsType<MessageItem>(final.Output[0]).Text());
        var call = Assert.IsType<FunctionCallItem>(final.Output[1]);
        Assert.Equal("""{"city": "Paris"}""", call.Arguments);
        Assert.Equal(1, events.OfType<FunctionCallArgumentsDoneEvent>().Single().OutputIndex);
        Assert.Equal(Enumerable.Range(0, events.Count).ToList(), events.Select(e => e.SequenceNumber).ToList());
    }

    [Fact]
    public async Task CustomToolCall_CarriesTheInputString()
    {
        var (final, events) = await RunAsync("<tool_call>{\"name\": \"apply_patch\", \"arguments\": {\"input\": \"*** Begin Patch\\n\"}}</tool_call>");
        var call = Assert.IsType<CustomToolCallItem>(Assert.Single(final.Output));
        Assert.Equal("*** Begin Patch\n", call.Input);
        Assert.Equal("*** Begin Patch\n", events.OfType<CustomToolCallInputDoneEvent>().Single().Input);
    }

    [Fact]
    public void UnsupportedToolTypes_AreLeftOutWithOneWarningLine()
    {
        var logger = new ListLogger();
        var tools = JsonSerializer.Deserialize(
            """[{"type":"web_search"},{"type":"function","name":"f"},{"type":"namespace","name":"mcp__x"},{"type":"file_search"},{"type":"custom","name":"apply_patch"}]""",
            Spark.Protocol.Json.ProtocolJsonContext.Default.IReadOnlyListResponseTool)!;
        var options = ToolRequestReader.FromResponses(tools, null, logger);
        Assert.Equal(["f", "apply_patch"], options.Tools.Select(t => t.Name));
        Assert.True(options.Tools[1].IsCustom);
        var line = Assert.Single(logger.Lines);
        Assert.Contains("web_search", line);
        Assert.Contains("namespace 'mcp__x'", line);
        Assert.Contains("file_search", line);
    }

    [Fact]
    public void ReplayedCalls_BecomeAssistantToolCallsAndToolTurns()
    {
        var turns = Conversation.ToChat("sys",
        [
            new MessageItem { Role = "user", Content = [ContentPart.InputText("hi")] },
            new FunctionCallItem { CallId = "c1", Name = "get_weather", Arguments = "{}" },
            new CustomToolCallItem { CallId = "c2", Name = "apply_patch", Input = "x\"y" },
            new FunctionCallOutputItem { CallId = "c1", Output = "sunny" },
            new CustomToolCallOutputItem { CallId = "c2", Output = "done" },
        ]);
        Assert.Equal(["system", "user", "assistant", "tool", "tool"], turns.Select(t => t.Role));
        Assert.Equal(["c1", "c2"], turns[2].ToolCalls!.Select(c => c.Id));
        Assert.Equal("""{"input":"x\u0022y"}""", turns[2].ToolCalls![1].Arguments);
        Assert.Equal("get_weather", turns[3].ToolName);
        Assert.Equal("c2", turns[4].ToolCallId);
    }

    [Fact]
    public void Prompt_WithoutTemplateToolSupport_UsesAHermesBlockAndTextTurns()
    {
        var turns = new List<ChatTurn>
        {
            new("user", "hi"),
            new("assistant", "") { ToolCalls = [new ChatTurnToolCall("c1", "get_weather", "{\"city\":\"x\"}")] },
            new("tool", "sunny") { ToolCallId = "c1" },
        };
        var (messages, tools) = ToolPrompt.Build(turns, Tools, templateHandlesTools: false);
        Assert.Null(tools);
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Contains("<tools>", messages[0]!["content"]!.GetValue<string>());
        Assert.Contains("\"name\":\"get_weather\"", messages[0]!["content"]!.GetValue<string>());
        Assert.Contains("<tool_call>", messages[2]!["content"]!.GetValue<string>());
        Assert.Equal("user", messages[3]!["role"]!.GetValue<string>());
        Assert.Contains("<tool_response>\nsunny", messages[3]!["content"]!.GetValue<string>());

        var (structured, toolList) = ToolPrompt.Build(turns, Tools, templateHandlesTools: true);
        Assert.Equal("get_weather", toolList![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("x", structured[1]!["tool_calls"]![0]!["function"]!["arguments"]!["city"]!.GetValue<string>());
        Assert.Equal("c1", structured[2]!["tool_call_id"]!.GetValue<string>());
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    private sealed class ScriptedGeneration(string[] pieces) : IGeneration
    {
        private int _next;

        public ValueTask<GenerationStep> NextAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(_next < pieces.Length ? GenerationStep.OfText(pieces[_next++].AsMemory()) : GenerationStep.Finished(new GenerationOutcome(FinishReason.Stop, 5, 0, pieces.Length)));

        public void Dispose() { }
    }

    private sealed class RecordingSink : IResponseEventSink
    {
        public List<ResponseStreamEvent> Events { get; } = [];

        public void Write(ResponseStreamEvent streamEvent) => Events.Add(streamEvent);

        public void WriteTextDelta(int sequenceNumber, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<char> delta) =>
            Events.Add(new OutputTextDeltaEvent(sequenceNumber, itemId, outputIndex, contentIndex, delta.ToString()));

        public void WriteHeartbeat() { }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
