using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spark.Protocol.Chat;
using Spark.Protocol.Responses;
using Spark.Server.Errors;

namespace Spark.Server.Tools;

/// <summary>
/// Reads <c>tools</c> and <c>tool_choice</c> of a Responses or chat request into <see cref="ToolOptions"/>. Tool types
/// Spark cannot run (<c>web_search</c>, <c>file_search</c>, <c>tool_search</c>, <c>namespace</c>, …) are accepted and
/// left out, with one warning line in the log, so clients that always send them still work.
/// </summary>
internal static class ToolRequestReader
{
    public static ToolOptions FromResponses(IReadOnlyList<ResponseTool>? tools, JsonElement? toolChoice, ILogger logger)
    {
        var offered = new List<ToolDefinition>();
        List<string>? skipped = null;
        for (int i = 0; i < (tools?.Count ?? 0); i++)
        {
            var tool = tools![i];
            switch (tool.Type)
            {
                case "function":
                    offered.Add(new ToolDefinition(RequireName(tool.Name, $"tools[{i}].name"), tool.Description, tool.Parameters, Strict: tool.Strict == true));
                    break;
                case "custom":
                    offered.Add(new ToolDefinition(RequireName(tool.Name, $"tools[{i}].name"), tool.Description, ToolDefinition.CustomParameters, IsCustom: true));
                    break;
                default:
                    (skipped ??= []).Add(tool.Name is null ? tool.Type : $"{tool.Type} '{tool.Name}'");
                    break;
            }
        }
        if (skipped is not null) Hosting.ServerLog.ToolsSkipped(logger, string.Join(", ", skipped));
        return WithChoice(offered, toolChoice);
    }

    public static ToolOptions FromChat(IReadOnlyList<ChatTool>? tools, JsonElement? toolChoice, ILogger logger)
    {
        var offered = new List<ToolDefinition>();
        List<string>? skipped = null;
        for (int i = 0; i < (tools?.Count ?? 0); i++)
        {
            var tool = tools![i];
            if (tool.Type == "function" && tool.Function is { } f)
                offered.Add(new ToolDefinition(RequireName(f.Name, $"tools[{i}].function.name"), f.Description, f.Parameters, Strict: f.Strict == true));
            else (skipped ??= []).Add(tool.Type);
        }
        if (skipped is not null) Hosting.ServerLog.ToolsSkipped(logger, string.Join(", ", skipped));
        return WithChoice(offered, toolChoice);
    }

    private static string RequireName(string? name, string param) =>
        string.IsNullOrWhiteSpace(name)
            ? throw ApiException.BadRequest($"Missing required parameter: '{param}' (the name the model calls the tool by).", param, "missing_required_parameter")
            : name;

    private static ToolOptions WithChoice(List<ToolDefinition> tools, JsonElement? choice)
    {
        var options = new ToolOptions { Tools = tools };
        if (choice is not { } c || c.ValueKind == JsonValueKind.Null) return options;
        if (c.ValueKind == JsonValueKind.String)
        {
            var mode = c.GetString() switch
            {
                "auto" => ToolChoiceMode.Auto,
                "none" => ToolChoiceMode.None,
                "required" => ToolChoiceMode.Required,
                var other => throw ApiException.BadRequest($"Invalid 'tool_choice': '{other}'. Expected 'auto', 'none', 'required' or {{\"type\": \"function\", \"name\": ...}}.", "tool_choice", "invalid_value"),
            };
            if (mode == ToolChoiceMode.Required && tools.Count == 0)
                throw ApiException.BadRequest("'tool_choice' is 'required' but no function or custom tool was given in 'tools'.", "tool_choice", "invalid_value");
            return options with { Choice = mode };
        }
        if (c.ValueKind != JsonValueKind.Object)
            throw ApiException.BadRequest("'tool_choice' must be a string or an object such as {\"type\": \"function\", \"name\": \"get_weather\"}.", "tool_choice", "invalid_type");
        string? type = c.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is not ("function" or "custom")) return options; // allowed_tools, hosted tool types: the model decides
        string? name = c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()
            : c.TryGetProperty("function", out var fn) && fn.ValueKind == JsonValueKind.Object && fn.TryGetProperty("name", out var fnName) && fnName.ValueKind == JsonValueKind.String ? fnName.GetString()
            : null;
        if (name is null)
            throw ApiException.BadRequest("'tool_choice' names no tool; send {\"type\": \"function\", \"name\": \"...\"}.", "tool_choice", "missing_required_parameter");
        if (options.Find(name) is null)
            throw ApiException.BadRequest($"'tool_choice' names '{name}', which is not one of the function or custom tools in 'tools'.", "tool_choice", "invalid_value");
        return options with { Choice = ToolChoiceMode.Named, ForcedName = name };
    }
}
