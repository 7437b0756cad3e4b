using System.Text.Json;
using System.Text.Json.Serialization;

namespace Spark.Protocol.Responses;

/// <summary>
/// An item of a conversation, as input (<c>input</c>) or output (<c>output</c>): a <see cref="MessageItem"/>,
/// a <see cref="FunctionCallItem"/>, a <see cref="FunctionCallOutputItem"/>, or an <see cref="OtherItem"/> Spark
/// accepts but does not use (e.g. <c>reasoning</c>). The same shapes go both ways, so a client can replay its output.
/// </summary>
[JsonConverter(typeof(ResponseItemConverter))]
public abstract record ResponseItem
{
    /// <summary>The item type (<c>message</c>, <c>function_call</c>, …).</summary>
    public abstract string Type { get; }

    /// <summary>The item id (<c>msg_…</c>, <c>fc_…</c>); optional on input.</summary>
    public string? Id { get; init; }
}

/// <summary>A message: <c>{type:"message", role, content}</c>; content is a string or a list of parts on input.</summary>
public sealed record MessageItem : ResponseItem
{
    /// <inheritdoc />
    public override string Type => ResponseItemTypes.Message;

    /// <summary><c>user</c>, <c>assistant</c>, <c>system</c> or <c>developer</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The parts; a string content arrives as one text part.</summary>
    public required IReadOnlyList<ContentPart> Content { get; init; }

    /// <summary><c>in_progress</c>, <c>completed</c> or <c>incomplete</c>; null on input.</summary>
    public string? Status { get; init; }

    /// <summary>The text of every text part, concatenated.</summary>
    public string Text()
    {
        if (Content.Count == 1) return Content[0].Text ?? "";
        var text = new System.Text.StringBuilder();
        foreach (var part in Content) text.Append(part.Text);
        return text.ToString();
    }
}

/// <summary>A call of a function tool by the model: <c>{type:"function_call", call_id, name, arguments}</c>.</summary>
public sealed record FunctionCallItem : ResponseItem
{
    /// <inheritdoc />
    public override string Type => ResponseItemTypes.FunctionCall;

    /// <summary>Pairs the call with its <see cref="FunctionCallOutputItem"/>.</summary>
    public required string CallId { get; init; }

    /// <summary>The function's name.</summary>
    public required string Name { get; init; }

    /// <summary>The arguments, a JSON object as a string.</summary>
    public required string Arguments { get; init; }

    /// <summary><c>in_progress</c>, <c>completed</c> or <c>incomplete</c>.</summary>
    public string? Status { get; init; }
}

/// <summary>The client's result of a function call: <c>{type:"function_call_output", call_id, output}</c>.</summary>
public sealed record FunctionCallOutputItem : ResponseItem
{
    /// <inheritdoc />
    public override string Type => ResponseItemTypes.FunctionCallOutput;

    /// <summary>The call this answers.</summary>
    public required string CallId { get; init; }

    /// <summary>The output text (a list of text parts arrives concatenated).</summary>
    public required string Output { get; init; }

    /// <summary>Status, when the client replays it.</summary>
    public string? Status { get; init; }
}

/// <summary>A call of a custom (free-form input) tool by the model: <c>{type:"custom_tool_call", call_id, name, input}</c>.</summary>
public sealed record CustomToolCallItem : ResponseItem
{
    /// <inheritdoc />
    public override string Type => ResponseItemTypes.CustomToolCall;

    /// <summary>Pairs the call with its output.</summary>
    public required string CallId { get; init; }

    /// <summary>The tool's name.</summary>
    public required string Name { get; init; }

    /// <summary>The free-form input the model wrote.</summary>
    public required string Input { get; init; }

    /// <summary><c>in_progress</c>, <c>completed</c> or <c>incomplete</c>.</summary>
    public string? Status { get; init; }
}

/// <summary>The client's result of a custom tool call: <c>{type:"custom_tool_call_output", call_id, output}</c>.</summary>
public sealed record CustomToolCallOutputItem : ResponseItem
{
    /// <inheritdoc />
    public override string Type => ResponseItemTypes.CustomToolCallOutput;

    /// <summary>The call this answers.</summary>
    public required string CallId { get; init; }

    /// <summary>The output text.</summary>
    public required string Output { get; init; }
}

/// <summary>An item of a type Spark does not use (e.g. <c>reasoning</c>), kept as its JSON.</summary>
public sealed record OtherItem : ResponseItem
{
    /// <summary>Creates the item from its JSON object.</summary>
    public OtherItem(string type, JsonElement json)
    {
        Type = type;
        Json = json;
    }

    /// <inheritdoc />
    public override string Type { get; }

    /// <summary>The item exactly as received.</summary>
    public JsonElement Json { get; }
}

/// <summary>The item types Spark reads.</summary>
public static class ResponseItemTypes
{
    /// <summary>A message.</summary>
    public const string Message = "message";
    /// <summary>A function call.</summary>
    public const string FunctionCall = "function_call";
    /// <summary>A function call's output.</summary>
    public const string FunctionCallOutput = "function_call_output";
    /// <summary>A custom tool call.</summary>
    public const string CustomToolCall = "custom_tool_call";
    /// <summary>A custom tool call's output.</summary>
    public const string CustomToolCallOutput = "custom_tool_call_output";
}
