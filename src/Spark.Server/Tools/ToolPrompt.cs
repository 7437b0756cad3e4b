using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spark.Engine.Inference.Constraints;
using Spark.Server.Backends;

namespace Spark.Server.Tools;

/// <summary>
/// Builds what a chat template renders for a conversation with tools. A template that knows tools gets them the way
/// Hugging Face and llama.cpp pass them (<c>tools</c>: <c>{type:"function", function:{name, description,
/// parameters}}</c>; assistant messages with <c>tool_calls</c>; <c>role: "tool"</c> results). A template that does
/// not gets a Hermes-style system block listing the tools and the calls and results as text turns
/// (<see cref="ToolTurnText"/>), the convention Qwen2.5/Hermes models were trained on.
/// </summary>
internal static class ToolPrompt
{
    /// <summary>Whether a template renders tools and tool calls itself.</summary>
    public static bool TemplateHandlesTools(string? template) =>
        template is not null && template.Contains("tools", StringComparison.Ordinal) && template.Contains("tool_call", StringComparison.Ordinal);

    /// <summary>The call syntax the model's template teaches: Llama 3.x JSON calls, else Hermes tags.</summary>
    public static ToolCallFormat FormatFor(string? template) =>
        template is not null && TemplateHandlesTools(template) && !template.Contains("<tool_call>", StringComparison.Ordinal)
            && (template.Contains("<|python_tag|>", StringComparison.Ordinal) || template.Contains("\"parameters\"", StringComparison.Ordinal))
            ? ToolCallFormat.Llama3Json
            : ToolCallFormat.Hermes;

    /// <summary>The messages (and the <c>tools</c> list, or null) to render.</summary>
    public static (JsonArray Messages, JsonArray? Tools) Build(IReadOnlyList<ChatTurn> turns, ToolOptions options, bool templateHandlesTools)
    {
        var messages = new JsonArray();
        var offered = options.Active ? options.Tools : [];
        if (templateHandlesTools)
        {
            foreach (var turn in turns) messages.Add(Structured(turn));
            return (messages, offered.Count > 0 ? ToolsArray(offered) : null);
        }

        string? block = offered.Count > 0 ? HermesSystemBlock(offered) : null;
        bool placed = false;
        foreach (var turn in turns)
        {
            string content = turn.Content;
            string role = turn.Role;
            if (role == "system" && block is not null && !placed)
            {
                content = content.Length > 0 ? content + "\n\n" + block : block;
                placed = true;
            }
            else if (turn.ToolCalls is { Count: > 0 } calls)
            {
                var text = new StringBuilder(content);
                foreach (var call in calls) text.Append(text.Length > 0 ? "\n" : "").Append(ToolTurnText.Call(call.Name, call.Arguments));
                content = text.ToString();
            }
            else if (role == "tool")
            {
                role = "user";
                content = ToolTurnText.Result(content);
            }
            messages.Add(new JsonObject { ["role"] = role, ["content"] = content });
        }
        if (block is not null && !placed) messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = block });
        return (messages, null);
    }

    private static JsonObject Structured(ChatTurn turn)
    {
        var message = new JsonObject { ["role"] = turn.Role, ["content"] = turn.Content };
        if (turn.ToolCalls is { Count: > 0 } calls)
        {
            var array = new JsonArray();
            foreach (var call in calls)
            {
                array.Add(new JsonObject
                {
                    ["id"] = call.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = ArgumentsNode(call.Arguments) },
                });
            }
            message["tool_calls"] = array;
        }
        if (turn.ToolCallId is not null) message["tool_call_id"] = turn.ToolCallId;
        if (turn.ToolName is not null) message["name"] = turn.ToolName;
        return message;
    }

    // templates index and tojson the arguments, as llama.cpp passes them: an object when the text parses
    private static JsonNode? ArgumentsNode(string arguments)
    {
        try
        {
            return JsonNode.Parse(arguments) is JsonObject o ? o : JsonValue.Create(arguments);
        }
        catch (JsonException)
        {
            return JsonValue.Create(arguments);
        }
    }

    private static JsonArray ToolsArray(IReadOnlyList<ToolDefinition> tools)
    {
        var array = new JsonArray();
        foreach (var tool in tools) array.Add(FunctionNode(tool));
        return array;
    }

    private static JsonObject FunctionNode(ToolDefinition tool)
    {
        var function = new JsonObject { ["name"] = tool.Name };
        if (tool.Description is not null) function["description"] = tool.Description;
        function["parameters"] = tool.Parameters is { } p ? JsonNode.Parse(p.GetRawText()) : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        return new JsonObject { ["type"] = "function", ["function"] = function };
    }

    /// <summary>Qwen2.5's tool instructions, for templates without tool support.</summary>
    public static string HermesSystemBlock(IReadOnlyList<ToolDefinition> tools)
    {
        var sb = new StringBuilder("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n");
        sb.Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (var tool in tools) sb.Append('\n').Append(FunctionNode(tool).ToJsonString());
        sb.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n");
        sb.Append("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.ToString();
    }
}
