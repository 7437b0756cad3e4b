using System.Text.Json;
using Spark.Protocol.Responses;
using Spark.Server.Backends;
using Spark.Server.Tools;

namespace Spark.Server.Responses;

/// <summary>
/// Turns Responses items into the chat turns a template renders: messages as they are, function and custom tool calls
/// as <c>tool_calls</c> of an assistant turn (consecutive calls share one), their outputs as <c>tool</c> turns.
/// Items Spark does not use (reasoning, …) are left out.
/// </summary>
internal static class Conversation
{
    public static List<ChatTurn> ToChat(string? instructions, IEnumerable<ResponseItem> items)
    {
        var turns = new List<ChatTurn>();
        var names = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(instructions)) turns.Add(new ChatTurn("system", instructions));
        foreach (var item in items)
        {
            switch (item)
            {
                case MessageItem message:
                    turns.Add(new ChatTurn(message.Role == "developer" ? "system" : message.Role, message.Text()));
                    break;
                case FunctionCallItem call:
                    names[call.CallId] = call.Name;
                    AddCall(turns, new ChatTurnToolCall(call.CallId, call.Name, call.Arguments));
                    break;
                case CustomToolCallItem custom:
                    names[custom.CallId] = custom.Name;
                    AddCall(turns, new ChatTurnToolCall(custom.CallId, custom.Name, CustomArguments(custom.Input)));
                    break;
                case FunctionCallOutputItem output:
                    turns.Add(ToolTurn(output.CallId, output.Output, names));
                    break;
                case CustomToolCallOutputItem output:
                    turns.Add(ToolTurn(output.CallId, output.Output, names));
                    break;
            }
        }
        return turns;
    }

    /// <summary>A custom tool's input as the arguments of the one-string function it is offered as.</summary>
    public static string CustomArguments(string input)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(ToolDefinition.CustomInputProperty, input);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static ChatTurn ToolTurn(string callId, string output, Dictionary<string, string> names) =>
        new("tool", output) { ToolCallId = callId, ToolName = names.GetValueOrDefault(callId) };

    // a call joins the assistant turn just before it (its text or earlier calls), as models write them
    private static void AddCall(List<ChatTurn> turns, ChatTurnToolCall call)
    {
        if (turns.Count > 0 && turns[^1] is { Role: "assistant" } last)
            turns[^1] = last with { ToolCalls = [.. last.ToolCalls ?? [], call] };
        else
            turns.Add(new ChatTurn("assistant", "") { ToolCalls = [call] });
    }
}
